package io.finetune.service.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTest {
    private static final String KEY = "k3y-0f-the-local-stack-0123456789";

    @Test
    void plainAndHashedKeysMatchOnlyThemselves() {
        String other = "another-key-of-sufficient-length";
        ApiKeys keys = ApiKeys.parse(List.of(KEY, " ", ApiKeys.hash(other)));

        assertThat(keys.matches(KEY)).isTrue();
        assertThat(keys.matches(other)).isTrue();
        assertThat(keys.matches(ApiKeys.hash(other))).as("the hash is not the key").isFalse();
        assertThat(keys.matches(KEY + "x")).isFalse();
        assertThat(keys.matches(KEY.substring(1))).isFalse();
        assertThat(keys.matches("")).isFalse();
        assertThat(keys.matches(null)).isFalse();
    }

    @Test
    void hashIsTheSha256OfTheKeyAsSha256sumPrintsIt() {
        // printf %s abcdefghijklmnop | sha256sum
        String hash = "sha256:f39dac6cbaba535e2c207cd0cd8f154974223c848f727f98b3564cea569b41cf";
        assertThat(ApiKeys.hash("abcdefghijklmnop")).isEqualTo(hash);
        assertThat(ApiKeys.parse(List.of(hash.toUpperCase().replace("SHA256:", "sha256:")))
                .matches("abcdefghijklmnop")).isTrue();
    }

    @Test
    void badEntriesAreNamedByPositionNeverByValue() {
        assertThatThrownBy(() -> ApiKeys.parse(List.of(KEY, "short-secret")))
                .hasMessageContaining("#2").hasMessageContaining("shorter than 16")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> ApiKeys.parse(List.of("sha256:beef")))
                .hasMessageContaining("64 hex digits");
    }

    @Test
    void noEntriesIsEmpty() {
        assertThat(ApiKeys.parse(List.of()).isEmpty()).isTrue();
        assertThat(ApiKeys.parse(List.of("", "  ")).isEmpty()).isTrue();
    }
}
