package io.finetune.ingest.domain;

import io.finetune.contracts.PreprocessOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The options a seal of a continuous dataset may bring once a version of it is prepared. */
class NextSealTest {
    private static final PreprocessOptions FIXED = new PreprocessOptions("distilbert-tiny", 32, null, 0.1, 0.2, 9L);

    @Test
    void noOptionsTakeTheFixedOnesAndTheSameOnesPass() {
        NextSeal.Allowed next = new NextSeal.Allowed(2, FIXED);
        assertThat(next.conflict("d", PreprocessOptions.defaults())).isNull();
        assertThat(next.options(PreprocessOptions.defaults())).isEqualTo(FIXED);
        assertThat(next.conflict("d", null)).isNull();
        assertThat(next.options(null)).isEqualTo(FIXED);
        PreprocessOptions same = new PreprocessOptions("distilbert-tiny", 32, null, 0.1, 0.2, 9L);
        assertThat(next.conflict("d", same)).isNull();
        assertThat(next.options(same)).isEqualTo(FIXED);
    }

    @Test
    void otherOptionsAreRefusedWithTheFixedOnesNamed() {
        NextSeal.Allowed next = new NextSeal.Allowed(2, FIXED);
        String conflict = next.conflict("d", new PreprocessOptions("distilbert-tiny", 64, null, 0.1, 0.2, 9L));
        assertThat(conflict).contains("dataset 'd' is continuous").contains("\"maxLength\":32")
                .contains("version 2").contains("Seal with {}");
    }

    @Test
    void beforeAVersionIsPreparedAnyOptionsGo() {
        NextSeal.Allowed next = new NextSeal.Allowed(2);
        PreprocessOptions corrected = new PreprocessOptions("distilbert-tiny", 64, null, null, null, null);
        assertThat(next.conflict("d", corrected)).isNull();
        assertThat(next.options(corrected)).isEqualTo(corrected);
        assertThat(next.options(null)).isNull();
    }
}
