package io.finetune.ingest;

import io.finetune.contracts.DatasetRecord;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.Topics;
import io.finetune.ingest.formats.ArchiveFixtures;
import io.finetune.ingest.formats.ParquetRecordsTest;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/**
 * Bad input of every kind, through all three doors (REST records, file imports, the raw Kafka topic): each case must
 * get a clear 4xx problem JSON or a dead letter naming its reason, and afterwards the service must still be healthy
 * and one dataset fed good and bad records through every door must count exactly what it kept.
 */
@QuarkusTest
@QuarkusTestResource(LocalKafkaResource.class)
@TestProfile(BadInputIT.SmallLimits.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
    /** Archive limits small enough that a bomb built in memory passes them; upload limit for a testable 413. */
    public static class SmallLimits implements QuarkusTestProfile {
        static final int ARCHIVE_ENTRIES = 50;
        static final long ARCHIVE_BYTES = 1_000_000;
        static final long UPLOAD_BYTES = 16L << 20;

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ingest.limits.archive-entries", String.valueOf(ARCHIVE_ENTRIES),
                    "ingest.limits.archive-unpacked-bytes", String.valueOf(ARCHIVE_BYTES),
                    "ingest.limits.upload-body-bytes", String.valueOf(UPLOAD_BYTES));
        }
    }

    private static final String PROBLEM = "application/problem+json";
    private static final String NDJSON = "application/x-ndjson";
    /** Receives every bad REST and import case; labels pos/neg. */
    private static final String BAD = "bad-cases";
    /** Sealed before the cases run: appending and sealing again must fail. */
    private static final String SEALED = "sealed-set";
    /** Fed a known mix of good and bad records through all three doors, then counted. */
    private static final String MIXED = "mixed-set";
    private static boolean datasetsCreated;

    /** One REST request and what must come back: status, and the problem's detail or its first error's reason. */
    record RestCase(String name, String method, String path, String contentType, byte[] body, int status,
                    String detail, String reason, String field, Integer line) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** One raw-topic record and the dead letter it must become. */
    record KafkaCase(String name, String key, byte[] value, String reason, String dataset) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---------------------------------------------------------------------------------------------- REST records

    static Stream<RestCase> restRecordCases() {
        return Stream.of(
                line("malformed JSON", "{\"text\":\"x\",", "invalid-json", null),
                line("text as number", "{\"text\":5,\"label\":\"pos\"}", "wrong-type", "text"),
                line("text as array", "{\"text\":[\"a\"],\"label\":\"pos\"}", "wrong-type", "text"),
                line("text as object", "{\"text\":{\"a\":1},\"label\":\"pos\"}", "wrong-type", "text"),
                line("label as object", "{\"text\":\"t\",\"label\":{\"a\":1}}", "wrong-type", "label"),
                line("label as array", "{\"text\":\"t\",\"label\":[\"pos\"]}", "wrong-type", "label"),
                line("label as float", "{\"text\":\"t\",\"label\":1.5}", "wrong-type", "label"),
                line("missing text", "{\"label\":\"pos\"}", "missing-text", "text"),
                line("missing label", "{\"text\":\"t\"}", "missing-label", "label"),
                line("unknown label", "{\"text\":\"t\",\"label\":\"meh\"}", "unknown-label", "label"),
                line("empty text", "{\"text\":\"\",\"label\":\"pos\"}", "missing-text", "text"),
                line("whitespace-only text", "{\"text\":\" \\t\\n \",\"label\":\"pos\"}", "missing-text", "text"),
                line("escaped NUL in text", "{\"text\":\"a\\u0000b\",\"label\":\"pos\"}", "nul-character", "text"),
                line("raw NUL byte in JSON", "{\"text\":\"a\u0000b\",\"label\":\"pos\"}", "invalid-json", null),
                line("deeply nested JSON", "{\"text\":\"t\",\"label\":\"pos\",\"n\":" + "[".repeat(5000)
                        + "]".repeat(5000) + "}", "invalid-json", null),
                line("JSON array instead of object", "[1,2]", "not-an-object", null),
                line("JSON string instead of object", "\"hello\"", "not-an-object", null),
                line("JSON number instead of object", "42", "not-an-object", null),
                line("invalid split", "{\"text\":\"t\",\"label\":\"pos\",\"split\":\"dev\"}", "invalid-split", "split"),
                line("id as object", "{\"text\":\"t\",\"label\":\"pos\",\"id\":{}}", "wrong-type", "id"),
                line("origin as string", "{\"text\":\"t\",\"label\":\"pos\",\"origin\":\"correction\"}",
                        "invalid-origin", "origin"),
                line("correction naming no request", "{\"text\":\"t\",\"label\":\"pos\",\"origin\":"
                        + "{\"kind\":\"correction\",\"deployment\":\"phishing\"}}", "invalid-origin", "origin"),
                line("10 MB line", "{\"text\":\"" + "x".repeat(10 << 20) + "\",\"label\":\"pos\"}", "too-large", null),
                rest("invalid UTF-8 body", "/datasets/" + BAD + "/records", NDJSON,
                        concat(utf8("{\"text\":\"caf"), new byte[]{(byte) 0xC3, (byte) 0x28}, utf8("\",\"label\":\"pos\"}")),
                        400, "not valid UTF-8"),
                rest("JSON body that is an object, not an array", "/datasets/" + BAD + "/records", "application/json",
                        utf8("{\"text\":\"t\",\"label\":\"pos\"}"), 400, "expected a JSON array"),
                new RestCase("JSON array item that is a number", "POST", "/datasets/" + BAD + "/records",
                        "application/json", utf8("[7]"), 400, "no record", "not-an-object", null, 1),
                new RestCase("JSON array item with a huge text", "POST", "/datasets/" + BAD + "/records",
                        "application/json", utf8("[{\"text\":\"" + "z".repeat(2 << 20) + "\",\"label\":\"pos\"}]"), 400,
                        "no record", "too-large", "text", 1),
                rest("truncated JSON array", "/datasets/" + BAD + "/records", "application/json",
                        utf8("[{\"text\":\"t\""), 400, "unreadable upload"),
                csv("CSV with unbalanced quote", "text,label\n\"never closed,pos\n", "unbalanced-quote", null, 2),
                csv("CSV with wrong column count", "text,label\nhello,pos,extra\n", "wrong-column-count", null, 2),
                csv("CSV with stray quote", "text,label\nab\"c,pos\n", "stray-quote", null, 2),
                rest("CSV without any row", "/datasets/" + BAD + "/records", "text/csv", new byte[0], 400,
                        "expected a header row"),
                rest("CSV header naming a column twice", "/datasets/" + BAD + "/records", "text/csv",
                        utf8("text,text\na,b\n"), 400, "must name every column once"),
                new RestCase("TSV without header", "POST", "/datasets/" + BAD + "/records",
                        "text/tab-separated-values", utf8("good film\tpos\nbad film\tneg\n"), 400, "no record",
                        "missing-text", "text", 2),
                rest("Latin-1 CSV", "/datasets/" + BAD + "/records", "text/csv",
                        "text,label\ncaf\u00e9,pos\n".getBytes(StandardCharsets.ISO_8859_1), 400, "not valid UTF-8"),
                new RestCase("CSV with a huge single line", "POST", "/datasets/" + BAD + "/records", "text/csv",
                        utf8("text,label\n" + "y".repeat(2 << 20) + ",pos\n"), 400, "no record", "too-large", "text", 2),
                rest("unsupported Content-Type", "/datasets/" + BAD + "/records", "application/xml",
                        utf8("<record/>"), 415, "'application/xml"),
                rest("upload over the body limit", "/datasets/" + BAD + "/records", NDJSON,
                        new byte[(int) SmallLimits.UPLOAD_BYTES + 1], 413, "limit of " + SmallLimits.UPLOAD_BYTES));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("restRecordCases")
    @Order(1)
    void restRecords(RestCase c) {
        send(c);
    }

    // ---------------------------------------------------------------------------------------------- lifecycle

    static Stream<RestCase> lifecycleCases() {
        String create = "/datasets";
        return Stream.of(
                rest("malformed JSON creating a dataset", create, "application/json", utf8("{\"name\":"), 400,
                        "the request body is not valid JSON: Unexpected end-of-input"),
                rest("a dataset name that is not a string", create, "application/json", utf8("{\"name\":[\"x\"]}"),
                        400, "'name' must be a string, not an array"),
                rest("text fields that are not a list", create, "application/json",
                        utf8("{\"name\":\"tf\",\"textFields\":{}}"), 400,
                        "'textFields' must be a JSON array, not an object"),
                rest("a misspelt field creating a dataset", create, "application/json",
                        utf8("{\"name\":\"typo\",\"textField\":[\"body\"]}"), 400,
                        "'textField' is not a field here; the fields are 'continuous', 'idField', 'labelField',"
                                + " 'labels', 'name', 'sealEvery', 'textFields'"),
                rest("a JSON array instead of a dataset", create, "application/json", utf8("[]"), 400,
                        "the request body must be a JSON object, not an array"),
                rest("dataset name ../x", create, "application/json", utf8("{\"name\":\"../x\"}"), 400, "'name'"),
                rest("dataset name a/b", create, "application/json", utf8("{\"name\":\"a/b\"}"), 400, "'name'"),
                rest("dataset name ..", create, "application/json", utf8("{\"name\":\"..\"}"), 400, "'name'"),
                rest("dataset name empty", create, "application/json", utf8("{\"name\":\"\"}"), 400, "'name'"),
                rest("dataset name missing", create, "application/json", utf8("{}"), 400, "'name'"),
                rest("dataset name of 200 characters", create, "application/json",
                        utf8("{\"name\":\"" + "n".repeat(200) + "\"}"), 400, "'name'"),
                rest("blank text field name", create, "application/json",
                        utf8("{\"name\":\"blank-field\",\"textFields\":[\" \"]}"), 400, "'textFields'"),
                rest("create body over the JSON limit", create, "application/json",
                        utf8("{\"name\":\"big\",\"labels\":[\"" + "x".repeat(70_000) + "\"]}"), 413, "65536"),
                rest("creating a dataset twice", create, "application/json", utf8("{\"name\":\"" + BAD + "\"}"), 409,
                        "exists already"),
                rest("sealing twice", "/datasets/" + SEALED + "/seal", "application/json", utf8("{}"), 409,
                        "is sealed and being prepared"),
                rest("sealing twice with invalid options", "/datasets/" + SEALED + "/seal", "application/json",
                        utf8("{\"balance\":\"sideways\"}"), 409, "is sealed and being prepared"),
                new RestCase("sealing with options that are no object", "POST", "/datasets/" + BAD + "/seal",
                        "application/json", utf8("[1]"), 422, "was not sealed", null, null, null),
                rest("sealing with a body that is no JSON", "/datasets/" + BAD + "/seal", "application/json",
                        utf8("{\"balance\":"), 400, "not valid JSON"),
                rest("appending after sealing", "/datasets/" + SEALED + "/records", NDJSON,
                        utf8("{\"text\":\"late\",\"label\":\"pos\"}"), 409, "is sealed"),
                rest("importing after sealing", "/datasets/" + SEALED + "/import?format=jsonl", NDJSON,
                        utf8("{\"text\":\"late\",\"label\":\"pos\"}"), 409, "is sealed"),
                rest("sealing an unknown dataset", "/datasets/nobody/seal", "application/json", utf8("{}"), 404,
                        "no dataset named 'nobody'"),
                rest("uploading to an unknown dataset", "/datasets/nobody/records", NDJSON,
                        utf8("{\"text\":\"t\",\"label\":\"pos\"}"), 404, "no dataset named 'nobody'"),
                rest("importing to an unknown dataset", "/datasets/nobody/import?format=jsonl", NDJSON,
                        utf8("{\"text\":\"t\",\"label\":\"pos\"}"), 404, "no dataset named 'nobody'"),
                new RestCase("unknown path", "GET", "/datasets/nobody/nothing", null, null, 404, null, null, null,
                        null),
                new RestCase("status of an unknown dataset", "GET", "/datasets/nobody", null, null, 404,
                        "no dataset named 'nobody'", null, null, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lifecycleCases")
    @Order(2)
    void lifecycle(RestCase c) {
        send(c);
    }

    // ---------------------------------------------------------------------------------------------- imports

    static Stream<RestCase> importCases() throws IOException {
        Map<String, byte[]> manyFiles = new LinkedHashMap<>();
        IntStream.range(0, SmallLimits.ARCHIVE_ENTRIES + 10)
                .forEach(i -> manyFiles.put("m/" + i + ".eml", utf8("Subject: s" + i + "\r\n\r\nbody")));
        byte[] zeros = new byte[(int) SmallLimits.ARCHIVE_BYTES * 2];
        return Stream.of(
                imp("unknown import format", "xls", "application/octet-stream", utf8("x"), 400,
                        "imdb, parquet, eml, mbox"),
                imp("missing import format", null, "application/octet-stream", utf8("x"), 400, "'format'"),
                imp("unknown split", "jsonl&split=dev", NDJSON, utf8("{}"), 400, "'split'"),
                imp("eml without label", "eml", "message/rfc822", utf8("Subject: hi\r\n\r\nbody"), 400,
                        "'label' query parameter"),
                imp("archive with ../ path", "eml&label=pos", "application/gzip",
                        ArchiveFixtures.tarGz(Map.of("../evil.eml", "Subject: x\r\n\r\ny")), 400, "leaves it"),
                imp("archive with absolute path", "eml&label=pos", "application/gzip",
                        ArchiveFixtures.tarGz(Map.of("/etc/evil.eml", "Subject: x\r\n\r\ny")), 400, "absolute path"),
                imp("zip with ../ path", "eml&label=pos", "application/zip",
                        ArchiveFixtures.zip(Map.of("a/../../evil.eml", utf8("Subject: x\r\n\r\ny"))), 400, "leaves it"),
                imp("archive bomb: too many entries", "eml&label=pos", "application/zip", ArchiveFixtures.zip(manyFiles),
                        400, "more than " + SmallLimits.ARCHIVE_ENTRIES + " entries"),
                imp("archive bomb: unpacks too large", "eml&label=pos", "application/zip",
                        ArchiveFixtures.zip(Map.of("bomb.eml", zeros)), 400, "unpacks to more than"),
                imp("IMDB import of something that is no archive", "imdb", "application/gzip", utf8("plain text"), 400,
                        "not a tar, tar.gz or zip archive"),
                new RestCase(".eml with no subject and no body", "POST", "/datasets/" + BAD + "/import?format=eml&label=pos",
                        "message/rfc822", utf8("From: a@example.com\r\n\r\n"), 400, "no record", "missing-text",
                        "subject", 1),
                imp("corrupt Parquet file", "parquet", "application/vnd.apache.parquet", utf8("PAR1 not really PAR1"),
                        400, "unreadable parquet file"),
                imp("truncated Parquet file", "parquet", "application/vnd.apache.parquet", truncatedParquet(), 400,
                        "unreadable parquet file"),
                imp("Latin-1 CSV import", "csv", "text/csv",
                        "text,label\ncaf\u00e9,pos\n".getBytes(StandardCharsets.ISO_8859_1), 400, "not valid UTF-8"),
                new RestCase("JSON Lines import with only bad lines", "POST", "/datasets/" + BAD + "/import?format=jsonl",
                        NDJSON, utf8("{\"text\":\"t\",\"label\":\"meh\"}"), 400, "no record", "unknown-label", "label", 1),
                imp("unsupported import Content-Type", "jsonl", "application/xml", utf8("<a/>"), 415,
                        "'application/xml"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("importCases")
    @Order(3)
    void imports(RestCase c) {
        send(c);
    }

    // ---------------------------------------------------------------------------------------------- raw topic

    static Stream<KafkaCase> kafkaCases() {
        return Stream.of(
                kafka("malformed JSON", BAD, "{\"text\":", "invalid-json", BAD),
                new KafkaCase("invalid UTF-8", BAD, concat(utf8("{\"text\":\"caf"), new byte[]{(byte) 0xC3, 0x28},
                        utf8("\",\"label\":\"pos\"}")), "invalid-utf8", BAD),
                new KafkaCase("empty value", BAD, new byte[0], "empty-record", BAD),
                kafka("record over the size limit", BAD, "{\"text\":\"" + "x".repeat(950_000) + "\",\"label\":\"pos\"}",
                        "too-large", BAD),
                kafka("deeply nested JSON", BAD, "{\"n\":" + "[".repeat(100) + "]".repeat(100) + "}", "invalid-json", BAD),
                kafka("JSON array instead of object", BAD, "[1]", "not-an-object", BAD),
                kafka("JSON string instead of object", BAD, "\"x\"", "not-an-object", BAD),
                kafka("JSON number instead of object", BAD, "3", "not-an-object", BAD),
                kafka("dataset as number", null, "{\"dataset\":5,\"text\":\"t\",\"label\":\"pos\"}", "wrong-type", null),
                kafka("no dataset at all", null, "{\"text\":\"t\",\"label\":\"pos\"}", "missing-dataset", null),
                kafka("dataset name ../x", null, "{\"dataset\":\"../x\",\"text\":\"t\",\"label\":\"pos\"}",
                        "invalid-dataset-name", null),
                kafka("text as number", BAD, "{\"text\":1,\"label\":\"pos\"}", "wrong-type", BAD),
                kafka("label as object", BAD, "{\"text\":\"t\",\"label\":{}}", "wrong-type", BAD),
                kafka("label as float", BAD, "{\"text\":\"t\",\"label\":0.5}", "wrong-type", BAD),
                kafka("missing text", BAD, "{\"label\":\"pos\"}", "missing-text", BAD),
                kafka("missing label", BAD, "{\"text\":\"t\"}", "missing-label", BAD),
                kafka("unknown label", BAD, "{\"text\":\"t\",\"label\":\"meh\"}", "unknown-label", BAD),
                kafka("whitespace-only text", BAD, "{\"text\":\"   \",\"label\":\"pos\"}", "missing-text", BAD),
                kafka("NUL in text", BAD, "{\"text\":\"a\\u0000b\",\"label\":\"pos\"}", "nul-character", BAD),
                kafka("end that is not a boolean", BAD, "{\"end\":\"yes\"}", "wrong-type", BAD),
                kafka("unknown split", BAD, "{\"text\":\"t\",\"label\":\"pos\",\"split\":\"dev\"}", "invalid-split", BAD),
                kafka("origin without a kind", BAD, "{\"text\":\"t\",\"label\":\"pos\",\"origin\":{\"deployment\":"
                        + "\"phishing\"}}", "invalid-origin", BAD),
                kafka("origin with a misspelt field", BAD, "{\"text\":\"t\",\"label\":\"pos\",\"origin\":"
                        + "{\"kind\":\"correction\",\"deployment\":\"p\",\"requestID\":\"r\"}}", "invalid-origin", BAD),
                kafka("record for a sealed dataset", SEALED, "{\"text\":\"t\",\"label\":\"pos\"}", "dataset-sealed",
                        SEALED),
                kafka("sealing a sealed dataset again", SEALED, "{\"end\":true}", "already-sealed", SEALED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kafkaCases")
    @Order(4)
    void rawTopic(KafkaCase c) {
        ensureDatasets();
        String origin = "kafka:" + produce(c.key(), c.value());
        try (TopicTail dead = new TopicTail(kafka(), Topics.DEAD_LETTERS)) {
            List<DeadLetter> letters = dead.pollUntil(r -> TopicTail.text(r).contains("\"" + origin + "\""),
                            Duration.ofSeconds(20)).stream()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> origin.equals(d.origin())).toList();
            assertThat(letters).as("dead letters from %s", origin).hasSize(1);
            assertThat(letters.get(0).reason()).isEqualTo(c.reason());
            assertThat(letters.get(0).dataset()).isEqualTo(c.dataset());
            assertThat(letters.get(0).detail()).isNotBlank();
        }
    }

    /**
     * A seal with invalid options is refused whole, over REST and on the raw topic alike: every problem named by its
     * field, and the dataset stays open. It used to be sealed and to fail in preprocess, on the first problem only.
     */
    @Test
    @Order(4)
    void aSealWithInvalidOptionsNamesEveryProblemAndSealsNothing() {
        ensureDatasets();
        given().contentType("application/json")
                .body(utf8("{\"balance\":\"sideways\",\"testFraction\":2,\"maxLenght\":64,\"seed\":\"x\"}"))
                .post("/datasets/" + BAD + "/seal").then().statusCode(422).contentType(PROBLEM)
                .body("status", equalTo(422))
                .body("detail", containsString("'" + BAD + "' was not sealed"))
                .body("detail", containsString("balance: 'sideways' is not one of none, undersample, oversample"))
                .body("errors.field", containsInAnyOrder("balance", "testFraction", "maxLenght", "seed"))
                .body("errors.find { it.field == 'testFraction' }.detail", containsString("from 0 up to"))
                .body("errors.find { it.field == 'maxLenght' }.detail", containsString("maxLength"));

        String origin = "kafka:" + produce(BAD, utf8("{\"end\":true,\"options\":{\"balance\":\"sideways\","
                + "\"testFraction\":2}}"));
        try (TopicTail dead = new TopicTail(kafka(), Topics.DEAD_LETTERS)) {
            DeadLetter letter = dead.pollUntil(r -> TopicTail.text(r).contains("\"" + origin + "\""),
                            Duration.ofSeconds(20)).stream()
                    .map(r -> Json.read(TopicTail.text(r), DeadLetter.class))
                    .filter(d -> origin.equals(d.origin())).findFirst().orElseThrow();
            assertThat(letter.reason()).isEqualTo("invalid-options");
            assertThat(letter.detail()).contains("balance: 'sideways'", "testFraction: 2.0 is not a share");
        }
        given().get("/datasets/" + BAD).then().statusCode(200).body("state", equalTo("OPEN"));
    }

    // ---------------------------------------------------------------------------------------------- afterwards

    /** Good and bad records through all three doors into one dataset: counts and the records topic are exact. */
    @Test
    @Order(5)
    void aMixedDatasetCountsExactlyAndTheServiceStaysHealthy() {
        ensureDatasets();
        given().contentType(NDJSON).body(utf8(String.join("\n",
                        "{\"id\":\"m-1\",\"text\":\"good one\",\"label\":\"pos\"}",
                        "{\"id\":\"x-1\",\"text\":\"bad label\",\"label\":\"meh\"}",
                        "{\"id\":\"m-2\",\"text\":\"good two\",\"label\":\"neg\"}",
                        "not json",
                        "{\"id\":\"m-3\",\"text\":\"good three\",\"label\":\"pos\"}")))
                .post("/datasets/" + MIXED + "/records").then().statusCode(200)
                .body("accepted", equalTo(3)).body("rejected", equalTo(2));
        given().contentType("text/csv").body(utf8("id,text,label\nm-4,good four,neg\nx-2,too,many,cols\n"
                        + "m-5,good five,pos\n"))
                .post("/datasets/" + MIXED + "/import?format=csv").then().statusCode(200)
                .body("accepted", equalTo(2)).body("rejected", equalTo(1));
        List<String> kafkaValues = List.of(
                "{\"id\":\"m-6\",\"text\":\"good six\",\"label\":\"pos\"}",
                "{\"id\":\"x-3\",\"label\":\"pos\"}",
                "{\"id\":\"m-7\",\"text\":\"good seven\",\"label\":\"neg\"}",
                "{\"id\":\"x-4\",\"text\":\"t\",\"label\":[\"pos\"]}");
        kafkaValues.forEach(v -> produce(MIXED, utf8(v)));

        Map<String, Integer> expectedRejections = Map.of("unknown-label", 1, "invalid-json", 1,
                "wrong-column-count", 1, "missing-text", 1, "wrong-type", 1);
        Map<?, ?> status = Map.of();
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); System.nanoTime() < deadline; ) {
            status = given().get("/datasets/" + MIXED).then().statusCode(200).extract().as(Map.class);
            if (expectedRejections.equals(status.get("rejectedByReason")) && Integer.valueOf(7).equals(status.get("accepted"))) {
                break;
            }
            sleep(200);
        }
        assertThat(status.get("accepted")).isEqualTo(7);
        assertThat(status.get("rejectedByReason")).isEqualTo(expectedRejections);

        given().contentType("application/json").body("{}").post("/datasets/" + MIXED + "/seal").then().statusCode(200)
                .body("accepted", equalTo(7));
        try (TopicTail records = new TopicTail(kafka(), Topics.DATASET_RECORDS)) {
            List<DatasetRecord> ofSet = records.pollUntil(r -> MIXED.equals(r.key())
                            && TopicTail.text(r).contains("\"END\""), Duration.ofSeconds(30)).stream()
                    .filter(r -> MIXED.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), DatasetRecord.class)).toList();
            List<DatasetRecord> good = ofSet.stream().filter(r -> r.kind() == DatasetRecord.Kind.RECORD).toList();
            assertThat(good).extracting(DatasetRecord::id)
                    .containsExactlyInAnyOrder("m-1", "m-2", "m-3", "m-4", "m-5", "m-6", "m-7");
            assertThat(ofSet.get(ofSet.size() - 1).kind()).isEqualTo(DatasetRecord.Kind.END);
            assertThat(ofSet.get(ofSet.size() - 1).accepted()).isEqualTo(7);
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static void send(RestCase c) {
        ensureDatasets();
        var request = given();
        if (c.contentType() != null) {
            request = request.contentType(c.contentType()).body(c.body());
        }
        ValidatableResponse response = ("GET".equals(c.method()) ? request.get(c.path()) : request.post(c.path()))
                .then().statusCode(c.status()).contentType(PROBLEM).body("status", equalTo(c.status()));
        if (c.detail() != null) {
            response.body("detail", containsString(c.detail()));
        }
        if (c.reason() != null) {
            response.body("errors[0].reason", equalTo(c.reason())).body("errors[0].detail", org.hamcrest.Matchers.notNullValue());
            response.body("errors[0].field", equalTo(c.field()));
            if (c.line() != null) {
                response.body("errors[0].line", equalTo(c.line()));
            }
        }
    }

    /** The datasets the cases need, created once (the app is up only once a test method runs). */
    private static synchronized void ensureDatasets() {
        if (datasetsCreated) {
            return;
        }
        for (String name : List.of(BAD, SEALED, MIXED)) {
            given().contentType("application/json").body("{\"name\":\"" + name + "\",\"labels\":[\"pos\",\"neg\"]}")
                    .post("/datasets").then().statusCode(201);
        }
        given().contentType(NDJSON).body(utf8("{\"text\":\"kept\",\"label\":\"pos\"}"))
                .post("/datasets/" + SEALED + "/records").then().statusCode(200);
        given().contentType("application/json").body("{}").post("/datasets/" + SEALED + "/seal").then().statusCode(200);
        datasetsCreated = true;
    }

    /** A bad JSON Lines upload of one line: 400, nothing accepted, the line named with its reason and field. */
    private static RestCase line(String name, String line, String reason, String field) {
        return new RestCase(name, "POST", "/datasets/" + BAD + "/records", NDJSON, utf8(line), 400,
                "no record of the upload was accepted", reason, field, 1);
    }

    private static RestCase csv(String name, String body, String reason, String field, int line) {
        return new RestCase(name, "POST", "/datasets/" + BAD + "/records", "text/csv", utf8(body), 400,
                "no record of the upload was accepted", reason, field, line);
    }

    private static RestCase rest(String name, String path, String contentType, byte[] body, int status, String detail) {
        return new RestCase(name, "POST", path, contentType, body, status, detail, null, null, null);
    }

    private static RestCase imp(String name, String format, String contentType, byte[] body, int status,
                                String detail) {
        String query = format == null ? "" : "?format=" + format;
        return rest(name, "/datasets/" + BAD + "/import" + query, contentType, body, status, detail);
    }

    private static KafkaCase kafka(String name, String key, String value, String reason, String dataset) {
        return new KafkaCase(name, key, utf8(value), reason, dataset);
    }

    /** @return "topic/partition@offset", the origin its dead letter must name */
    private static String produce(String key, byte[] value) {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka());
        props.put("acks", "all");
        try (var producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(Topics.RAW_RECORDS, key, value)).get();
            return sent.topic() + "/" + sent.partition() + "@" + sent.offset();
        } catch (Exception e) {
            throw new IllegalStateException("could not produce to " + Topics.RAW_RECORDS, e);
        }
    }

    private static byte[] truncatedParquet() {
        try {
            Path dir = Files.createTempDirectory("bad-input-");
            Path file = dir.resolve("train.parquet");
            try {
                ParquetRecordsTest.writeHuggingFaceStyle(file, true);
                byte[] whole = Files.readAllBytes(file);
                return Arrays.copyOf(whole, whole.length / 2);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
