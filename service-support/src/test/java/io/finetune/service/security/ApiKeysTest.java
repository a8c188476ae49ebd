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
    void anEntryMayNameItsRoleAndWithoutOneItIsReadWrite() {
        String reader = "reader-key-0123456789abcdef";
        String writer = "writer-key-0123456789abcdef";
        String hashedReader = "hashed-reader-0123456789abcd";
        ApiKeys keys = ApiKeys.parse(List.of("read:" + reader, "WRITE:" + writer, KEY,
                " read: " + ApiKeys.hash(hashedReader)));

        assertThat(keys.match(reader)).contains(Role.READ);
        assertThat(keys.match(writer)).contains(Role.WRITE);
        assertThat(keys.match(KEY)).as("no role: read-write, as every key was before roles").contains(Role.WRITE);
        assertThat(keys.match(hashedReader)).contains(Role.READ);
        assertThat(keys.match("read:" + reader)).as("the prefix is not part of the key").isEmpty();
        assertThat(keys.match(ApiKeys.hash(hashedReader))).isEmpty();
    }

    @Test
    void theSameKeyTwiceGrantsTheHigherRole() {
        assertThat(ApiKeys.parse(List.of("read:" + KEY, "write:" + KEY)).match(KEY)).contains(Role.WRITE);
        assertThat(ApiKeys.parse(List.of("write:" + KEY, "read:" + KEY)).match(KEY)).contains(Role.WRITE);
    }

    @Test
    void onlyReadAndWriteArePrefixesAnythingElseIsPartOfTheKey() {
        String colonKey = "admin:0123456789abcdef01234";
        ApiKeys keys = ApiKeys.parse(List.of(colonKey));
        assertThat(keys.match(colonKey)).contains(Role.WRITE);
        assertThat(keys.match("0123456789abcdef01234")).isEmpty();
        assertThatThrownBy(() -> ApiKeys.parse(List.of("read:short")))
                .hasMessageContaining("#1").hasMessageContaining("shorter than 16").hasMessageNotContaining("read:short");
        assertThatThrownBy(() -> ApiKeys.parse(List.of("write:sha256:beef"))).hasMessageContaining("64 hex digits");
    }

    @Test
    void noEntriesIsEmpty() {
        assertThat(ApiKeys.parse(List.of()).isEmpty()).isTrue();
        assertThat(ApiKeys.parse(List.of("", "  ")).isEmpty()).isTrue();
    }
}
