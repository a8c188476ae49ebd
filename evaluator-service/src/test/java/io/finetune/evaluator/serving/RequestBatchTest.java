package io.finetune.evaluator.serving;

import ai.djl.Device;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Prediction;
import io.finetune.distilbert.BundledModels;
import io.finetune.distilbert.Precision;
import io.finetune.evaluator.domain.TextClassifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RequestBatchTest {
    private static final Deployment PHISHING = Deployment.create("phishing", "ckpt-a", List.of("text"), Instant.EPOCH);
    private static final Deployment SPAM = Deployment.create("spam", "ckpt-b", List.of("text"), Instant.EPOCH);
    /** A deployment whose checkpoint's dataset was defined with text fields Subject and Body, as e-mail exports are. */
    private static final Deployment MAIL = Deployment.create("mail", "ckpt-m", List.of("Subject", "Body"),
            Instant.EPOCH);

    @TempDir
    Path dir;

    /** Labels each text with its length, and records every call: which checkpoint, which texts. */
    private final List<String> calls = new ArrayList<>();
    private final RequestBatch.Labeler byLength = (checkpoint, texts) -> {
        calls.add(checkpoint + texts);
        return texts.stream().map(t -> new TextClassifier.Prediction("len" + t.length(), Map.of("len" + t.length(),
                1.0), t.length(), false)).toList();
    };

    @Test
    void oneModelCallPerCheckpointPerPollInRequestOrder() {
        RequestBatch batch = new RequestBatch(() -> List.of(PHISHING, SPAM), Optional.empty(), byLength);

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("{\"id\": \"1\", \"text\": \"aaa\", \"deployment\": \"phishing\"}"),
                request("{\"id\": \"2\", \"text\": \"b\", \"deployment\": \"spam\"}"),
                request("{\"id\": \"3\", \"text\": \"cc\", \"deployment\": \"phishing\"}")));

        assertThat(calls).containsExactly("ckpt-a[aaa, cc]", "ckpt-b[b]");
        assertThat(outcome.deadLetters()).isEmpty();
        assertThat(outcome.predictions()).extracting(Prediction::requestId, Prediction::deployment,
                Prediction::checkpoint, Prediction::label).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1", "phishing", "ckpt-a", "len3"),
                org.assertj.core.groups.Tuple.tuple("3", "phishing", "ckpt-a", "len2"),
                org.assertj.core.groups.Tuple.tuple("2", "spam", "ckpt-b", "len1"));
        assertThat(outcome.predictions()).extracting(p -> p.timings().batchSize()).containsExactly(2, 2, 1);
        assertThat(outcome.predictions().get(0).timings().queuedMs()).isGreaterThan(0);
    }

    @Test
    void requestsThatCannotBeAnsweredBecomeDeadLettersWithTheirReason() {
        RequestBatch batch = new RequestBatch(() -> List.of(PHISHING), Optional.empty(), byLength);

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("not json"),
                request("[1, 2]"),
                request(""),
                request("{\"text\": \"no id\", \"deployment\": \"phishing\"}"),
                request("{\"id\": \"4\", \"text\": \" \", \"deployment\": \"phishing\"}"),
                request("{\"id\": \"5\", \"text\": \"who answers?\"}"),
                request("{\"id\": \"6\", \"text\": \"x\", \"deployment\": \"nobody\"}"),
                request("{\"id\": \"8\", \"text\": 5, \"deployment\": \"phishing\"}"),
                request("{\"id\": \"7\", \"text\": \"fine\", \"deployment\": \"phishing\"}")));

        assertThat(outcome.deadLetters()).extracting(DeadLetter::reason).containsExactly("invalid-json",
                "not-an-object", "empty-request", "missing-id", "missing-text", "missing-deployment",
                "unknown-deployment", "wrong-type");
        assertThat(outcome.deadLetters().get(6).detail()).contains("'nobody'");
        assertThat(outcome.deadLetters().get(6).payload()).contains("\"nobody\"");
        assertThat(outcome.deadLetters()).allSatisfy(l -> assertThat(l.origin()).startsWith("kafka:test/0@"));
        assertThat(outcome.predictions()).extracting(Prediction::requestId).containsExactly("7");
    }

    /** A raw record is read through the deployment's text fields, as ingest reads the dataset's records. */
    @Test
    void aRecordIsClassifiedByTheTextItsDatasetsTextFieldsMake() {
        RequestBatch batch = new RequestBatch(() -> List.of(MAIL, SPAM), Optional.empty(), byLength);

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("{\"id\": \"1\", \"deployment\": \"mail\", \"record\": {\"Email_ID\": 4711,"
                        + " \"Body\": \"Click here to verify\", \"Subject\": \"Your account\"}}"),
                request("{\"id\": \"2\", \"deployment\": \"mail\", \"record\": {\"Subject\": \" \","
                        + " \"Body\": \"only a body\"}}"),
                request("{\"id\": \"3\", \"deployment\": \"mail\", \"text\": \"a text as before\"}"),
                request("{\"id\": \"4\", \"deployment\": \"spam\", \"record\": {\"text\": \"default field\"}}")));

        assertThat(outcome.deadLetters()).isEmpty();
        assertThat(calls).containsExactly("ckpt-m[Your account\nClick here to verify, only a body, a text as before]",
                "ckpt-b[default field]");
        assertThat(outcome.predictions()).extracting(Prediction::requestId).containsExactly("1", "2", "3", "4");
    }

    @Test
    void recordsThatCannotBeReadBecomeDeadLettersNamingTheFieldsExpected() {
        Deployment old = new Deployment("old", "ckpt-o", null, Instant.EPOCH, Instant.EPOCH, null, null, null);
        RequestBatch batch = new RequestBatch(() -> List.of(MAIL, old), Optional.empty(), byLength);

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("{\"id\": \"1\", \"deployment\": \"mail\", \"text\": \"t\", \"record\": {\"Body\": \"b\"}}"),
                request("{\"id\": \"2\", \"deployment\": \"mail\"}"),
                request("{\"id\": \"3\", \"deployment\": \"mail\", \"record\": \"Subject: hi\"}"),
                request("{\"id\": \"4\", \"deployment\": \"mail\", \"record\": {\"text\": \"wrong field\"}}"),
                request("{\"id\": \"5\", \"deployment\": \"mail\", \"record\": {\"Subject\": \"hi\", \"Body\": 5}}"),
                request("{\"id\": \"6\", \"deployment\": \"old\", \"record\": {\"text\": \"t\"}}"),
                request("{\"id\": \"7\", \"deployment\": \"mail\", \"record\": {\"Body\": \"fine\"}}")));

        assertThat(outcome.deadLetters()).extracting(DeadLetter::reason).containsExactly("text-and-record",
                "missing-text", "wrong-type", "missing-text", "wrong-type", "no-text-fields");
        assertThat(outcome.deadLetters().get(2).detail()).contains("'record'", "object", "string");
        assertThat(outcome.deadLetters().get(3).detail()).contains("request '4'", "'Subject', 'Body' missing or blank",
                "ckpt-m", "'mail'");
        assertThat(outcome.deadLetters().get(3).payload()).contains("wrong field");
        assertThat(outcome.deadLetters().get(4).detail()).contains("'Body' must be a string");
        assertThat(outcome.deadLetters().get(5).detail()).contains("PUT /deployments/old/checkpoint");
        assertThat(outcome.predictions()).extracting(Prediction::requestId).containsExactly("7");
    }

    @Test
    void theDefaultDeploymentAnswersRequestsNamingNone() {
        RequestBatch batch = new RequestBatch(() -> List.of(PHISHING), Optional.of("phishing"), byLength);

        RequestBatch.Outcome outcome = batch.answer(List.of(request("{\"id\": \"1\", \"text\": \"hello\"}")));

        assertThat(outcome.predictions()).extracting(Prediction::deployment).containsExactly("phishing");
    }

    @Test
    void aModelThatFailsTurnsItsRequestsIntoDeadLettersAndSparesTheOthers() {
        RequestBatch batch = new RequestBatch(() -> List.of(PHISHING, SPAM), Optional.empty(), (checkpoint, texts) -> {
            if (checkpoint.equals("ckpt-a")) {
                throw new IllegalStateException("model gone");
            }
            return byLength.label(checkpoint, texts);
        });

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("{\"id\": \"1\", \"text\": \"a\", \"deployment\": \"phishing\"}"),
                request("{\"id\": \"2\", \"text\": \"b\", \"deployment\": \"spam\"}")));

        assertThat(outcome.deadLetters()).singleElement().satisfies(l -> {
            assertThat(l.reason()).isEqualTo("inference-failed");
            assertThat(l.detail()).contains("ckpt-a", "phishing", "model gone");
        });
        assertThat(outcome.predictions()).extracting(Prediction::requestId).containsExactly("2");
    }

    /** Dynamic padding: texts of very different lengths answered in one batch get what each gets alone. */
    @Test
    void aBatchOfTheRealModelAnswersAsRequestsOneByOne() {
        Path model = BundledModels.extract(BundledModels.DEMO_MODEL, dir.resolve("model"));
        List<String> texts = List.of("fine", "a long text " + "that goes on and on ".repeat(12), "dull film");
        try (TextClassifier classifier = new TextClassifier(model, 64, 2, Device.cpu(), Precision.FP32)) {
            RequestBatch batch = new RequestBatch(() -> List.of(PHISHING), Optional.empty(),
                    (checkpoint, t) -> classifier.predict(t));
            List<RequestBatch.Incoming> requests = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                requests.add(request("{\"id\": \"" + i + "\", \"text\": \"" + texts.get(i)
                        + "\", \"deployment\": \"phishing\"}"));
            }

            List<Prediction> together = batch.answer(requests).predictions();

            assertThat(together).hasSize(texts.size());
            for (int i = 0; i < texts.size(); i++) {
                TextClassifier.Prediction alone = classifier.predict(List.of(texts.get(i))).get(0);
                assertThat(together.get(i).label()).isEqualTo(alone.label());
                assertThat(together.get(i).tokens()).isEqualTo(alone.tokens());
                for (String label : alone.probabilities().keySet()) {
                    assertThat(together.get(i).probabilities().get(label))
                            .isCloseTo(alone.probabilities().get(label), within(1e-5));
                }
            }
        }
    }

    /**
     * A serving replica may not yet know a deployment created a moment ago: the batch asks it to catch up before it
     * refuses the request, once per name and batch, and says why where the deployment exists but cannot be served.
     */
    @Test
    void aDeploymentTheBatchBeganWithoutIsLookedUpAgainBeforeARequestIsRefused() {
        List<String> caughtUp = new ArrayList<>();
        ServingSource lagging = new ServingSource() {
            @Override
            public List<Deployment> deployments() {
                return List.of(PHISHING);
            }

            @Override
            public List<TextClassifier.Prediction> label(String checkpoint, List<String> texts) {
                return byLength.label(checkpoint, texts);
            }

            @Override
            public Optional<ServedDeployment> catchUp(String name) {
                caughtUp.add(name);
                return name.equals("spam") ? Optional.of(SPAM) : Optional.empty();
            }

            @Override
            public Optional<String> unavailable(String name) {
                return name.equals("mail") ? Optional.of("checkpoint ckpt-m could not be fetched") : Optional.empty();
            }

            @Override
            public void releaseUnused() {
            }

            @Override
            public boolean ready() {
                return true;
            }
        };
        RequestBatch batch = new RequestBatch(lagging, Optional.empty(), "evaluator-serving-3");

        RequestBatch.Outcome outcome = batch.answer(List.of(
                request("{\"id\": \"1\", \"text\": \"aaa\", \"deployment\": \"spam\"}"),
                request("{\"id\": \"2\", \"text\": \"bb\", \"deployment\": \"spam\"}"),
                request("{\"id\": \"3\", \"text\": \"c\", \"deployment\": \"mail\"}"),
                request("{\"id\": \"4\", \"text\": \"d\", \"deployment\": \"nobody\"}"),
                request("{\"id\": \"5\", \"text\": \"e\", \"deployment\": \"nobody\"}"),
                request("{\"id\": \"6\", \"text\": \"f\", \"deployment\": \"phishing\"}")));

        assertThat(outcome.predictions()).extracting(Prediction::servedBy).containsOnly("evaluator-serving-3");
        assertThat(caughtUp).as("once per missing name").containsExactly("spam", "mail", "nobody");
        assertThat(outcome.predictions()).extracting(Prediction::requestId, Prediction::checkpoint).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1", "ckpt-b"), org.assertj.core.groups.Tuple.tuple("2", "ckpt-b"),
                org.assertj.core.groups.Tuple.tuple("6", "ckpt-a"));
        assertThat(outcome.deadLetters()).extracting(DeadLetter::reason)
                .containsExactly("deployment-unavailable", "unknown-deployment", "unknown-deployment");
        assertThat(outcome.deadLetters().get(0).detail()).contains("'mail'", "cannot serve",
                "ckpt-m could not be fetched");
    }

    private int offset;

    private RequestBatch.Incoming request(String value) {
        return new RequestBatch.Incoming(value, System.currentTimeMillis() - 5, "kafka:test/0@" + offset++);
    }
}
