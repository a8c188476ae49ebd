package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/training.md's hyperparameter table names every setting, with every name it is accepted by, and no other. */
class TrainingSettingsDocsTest {
    private static final Path DOC = Path.of(System.getProperty("repo.root", "..")).resolve("docs/training.md");

    @Test
    void theTableHasARowPerSettingNamingItsHuggingFaceAliases() throws Exception {
        String doc = Files.readString(DOC);
        String table = doc.substring(doc.indexOf("| Field | Default | Meaning (Hugging Face"));
        table = table.substring(0, table.indexOf("\n\n"));
        List<String> rows = table.lines().skip(2).toList();

        for (TrainingSettings.Setting setting : TrainingSettings.ALL) {
            List<String> row = rows.stream().filter(r -> r.split("\\|")[1].contains("`" + setting.name() + "`"))
                    .toList();
            assertThat(row).as("a row for %s", setting.name()).hasSize(1);
            for (String alias : setting.aliases()) {
                assertThat(row.get(0)).as("%s's row names its alias %s", setting.name(), alias)
                        .contains("`" + alias + "`");
            }
        }
        List<String> documented = rows.stream().flatMap(r -> java.util.Arrays.stream(r.split("\\|")[1].split(",")))
                .map(cell -> cell.trim().replace("`", "")).toList();
        assertThat(documented).as("no row for a setting that does not exist")
                .allSatisfy(name -> assertThat(TrainingSettings.byName(name)).as(name).isPresent());
    }
}
