package io.finetune.trainer.training;

import io.finetune.contracts.Hyperparameters;
import io.finetune.contracts.TrainingSettings;
import io.finetune.distilbert.LearningRateSchedule;
import io.finetune.distilbert.TrainingConfig;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/training.md's settings table is made from the one place each fact lives: names, aliases and descriptions
 * from {@link TrainingSettings}, defaults from {@link TrainingConfig#defaults()} (as the job status records them),
 * allowed values from {@link TrainingConfig#RANGES} and the enums. After changing a setting, regenerate the table with
 * {@code ./mvnw -pl trainer-service -am test -Dtest=SettingsTableTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dsettings.table.write=true}.
 */
class SettingsTableTest {
    private static final Path DOC = Path.of(System.getProperty("repo.root", "..")).resolve("docs/training.md");
    private static final String HEADER = "| Field | Hugging Face name | Default | Allowed | Meaning |";

    @Test
    void theDocsTableIsTheOneTheSettingsMake() throws Exception {
        String doc = Files.readString(DOC);
        int start = doc.indexOf(HEADER);
        assertThat(start).as("docs/training.md has the settings table").isGreaterThan(0);
        int end = doc.indexOf("\n\n", start);
        String expected = table();
        if (Boolean.getBoolean("settings.table.write")) {
            Files.writeString(DOC, doc.substring(0, start) + expected + doc.substring(end));
            return;
        }
        assertThat(doc.substring(start, end)).as("docs/training.md's settings table; regenerate it with"
                + " -Dsettings.table.write=true (see this test's comment)").isEqualTo(expected);
    }

    @Test
    void everyRangeBoundsASetting() {
        assertThat(TrainingConfig.RANGES).allSatisfy(range ->
                assertThat(TrainingSettings.byName(range.setting())).as(range.setting()).isPresent());
    }

    static String table() {
        Hyperparameters defaults = TrainingRun.effective(TrainingConfig.defaults());
        RecordComponent[] components = Hyperparameters.class.getRecordComponents();
        List<String> rows = new ArrayList<>(List.of(HEADER, "|---|---|---|---|---|"));
        for (int i = 0; i < components.length; i++) {
            TrainingSettings.Setting setting = TrainingSettings.ALL.get(i);
            Object value;
            try {
                value = components[i].getAccessor().invoke(defaults);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String defaultText = setting.defaultText() != null ? setting.defaultText() : format(value);
            rows.add("| `" + setting.name() + "` | " + aliases(setting) + " | " + defaultText + " | "
                    + allowed(setting, components[i]) + " | " + setting.description() + " |");
        }
        return String.join("\n", rows);
    }

    private static String aliases(TrainingSettings.Setting setting) {
        List<String> names = setting.aliases().stream().map(a -> "`" + a + "`").toList();
        if (names.isEmpty()) {
            return "the same";
        }
        return names.get(0) + (names.size() > 1 ? "; also " + String.join(", ", names.subList(1, names.size())) : "");
    }

    private static String allowed(TrainingSettings.Setting setting, RecordComponent component) {
        Optional<TrainingConfig.Range> range = TrainingConfig.RANGES.stream()
                .filter(r -> r.setting().equals(setting.name())).findFirst();
        if (range.isPresent()) {
            return range.get().text();
        }
        if (component.getType() == Boolean.class) {
            return "true, false";
        }
        return switch (setting.name()) {
            case "lrSchedulerType" -> codes(Arrays.stream(LearningRateSchedule.Type.values())
                    .map(LearningRateSchedule.Type::huggingFaceName));
            case "metricForBestModel" -> codes(Arrays.stream(TrainingConfig.BestModelMetric.values())
                    .map(TrainingConfig.BestModelMetric::key));
            case "evalStrategy" -> codes(Arrays.stream(TrainingConfig.EvalStrategy.values())
                    .map(TrainingConfig.EvalStrategy::huggingFaceName));
            default -> "any integer";
        };
    }

    private static String codes(java.util.stream.Stream<String> values) {
        return values.map(v -> "`" + v + "`").collect(Collectors.joining(", "));
    }

    /** 2e-5, 0.01, 16, `linear`, none: as a person writes them. */
    private static String format(Object value) {
        if (value == null) {
            return "none";
        }
        if (value instanceof Double d) {
            if (d != 0 && Math.abs(d) < 1e-3) {
                int exponent = (int) Math.floor(Math.log10(Math.abs(d)));
                return BigDecimal.valueOf(d).movePointRight(-exponent).stripTrailingZeros().toPlainString() + "e"
                        + exponent;
            }
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (value instanceof String text) {
            return "`" + text + "`";
        }
        return value.toString();
    }
}
