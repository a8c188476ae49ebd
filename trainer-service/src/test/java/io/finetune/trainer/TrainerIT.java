package io.finetune.trainer;

import io.finetune.contracts.CheckpointAssembler;
import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.CheckpointInfo;
import io.finetune.contracts.Json;
import io.finetune.contracts.ModelArchive;
import io.finetune.contracts.TokenizedExample;
import io.finetune.contracts.Topics;
import io.finetune.contracts.TrainingProgress;
import io.finetune.distilbert.EncoderClassifier;
import io.finetune.distilbert.Predictor;
import io.finetune.kafka.local.LocalKafkaResource;
import io.finetune.kafka.local.TopicTail;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

/** trainer-service against a real broker: job over REST, progress events, checkpoints that reassemble and load. */
@QuarkusTest
@QuarkusTestResource(value = LocalKafkaResource.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = FreshDataDir.class, restrictToAnnotatedClass = true)
@QuarkusTestResource(value = TightMemory.class, restrictToAnnotatedClass = true)
class TrainerIT {
    private static final String DATASET = "trainer-it-reviews";
    private static List<TokenizedExample> validation;

    private static String kafka() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    /** Static, so that @BeforeAll can use it; JUnit deletes it after the class. */
    @TempDir
    static Path tmp;

    /** Publishes a tokenized dataset as preprocess-service would: shards, then the manifest. */
    @BeforeAll
    static void publishDataset() throws Exception {
        ReviewData data = ReviewData.ofDemoModel(DATASET, tmp.resolve("model"), 800, 160, 11);
        validation = data.validation().examples();
        data.publish(kafka());
    }

    @Test
    void trainsPublishesProgressAndLoadableCheckpoints() throws Exception {
        String jobId = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"learningRate": 0.005, "epochs": 5, "batchSize": 16, "maxLength": 64}}
                        """.formatted(DATASET))
                .post("/jobs").then().statusCode(202)
                .body("build", equalTo("b1")) // pinned to the build the submission was planned on
                .extract().path("jobId");

        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().get("/jobs/" + jobId).then().body("state", equalTo("COMPLETED")));
        given().get("/jobs/" + jobId).then().body("checkpoints.size()", equalTo(6)).body("device", containsString("cpu"))
                // What it trained with, defaults filled in, not the nulls it was submitted with.
                .body("hyperparameters.learningRate", equalTo(0.005f)).body("hyperparameters.weightDecay", equalTo(0.01f))
                .body("hyperparameters.seed", equalTo(42)).body("hyperparameters.maxGradNorm", equalTo(1.0f));
        // Published checkpoints are not kept on the trainer's volume as well: only the job's own files are left.
        Path jobDir = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getValue("trainer.data-dir", Path.class).resolve("jobs").resolve(jobId);
        try (var left = Files.list(jobDir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(jobId + "-"));
        }

        try (TopicTail progress = new TopicTail(kafka(), Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> TopicTail.text(r).contains("COMPLETED")
                            && jobId.equals(r.key()), Duration.ofSeconds(20)).stream()
                    .filter(r -> jobId.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class)).toList();
            assertThat(events).extracting(TrainingProgress::stage).contains(TrainingProgress.Stage.QUEUED,
                    TrainingProgress.Stage.STARTED, TrainingProgress.Stage.STEP, TrainingProgress.Stage.EPOCH,
                    TrainingProgress.Stage.CHECKPOINT, TrainingProgress.Stage.COMPLETED);
            TrainingProgress step = events.stream().filter(e -> e.stage() == TrainingProgress.Stage.STEP)
                    .findFirst().orElseThrow();
            assertThat(step.loss()).isPositive();
            assertThat(step.tokensPerSecond()).isPositive();
            assertThat(step.totalSteps()).isEqualTo(5 * 50L); // 800 examples / batch 16 = 50 steps per epoch
            TrainingProgress lastEpoch = events.stream().filter(e -> e.stage() == TrainingProgress.Stage.EPOCH)
                    .reduce((a, b) -> b).orElseThrow();
            assertThat(lastEpoch.validationAccuracy()).isGreaterThan(0.9);
        }

        Path work = tmp.resolve("assembled");
        CheckpointAssembler assembler = new CheckpointAssembler(work);
        Optional<Path> finalArchive = Optional.empty();
        try (TopicTail checkpoints = new TopicTail(kafka(), Topics.CHECKPOINTS)) {
            for (ConsumerRecord<String, byte[]> record : checkpoints.pollUntil(
                    r -> (jobId + "-final").equals(CheckpointChunk.checkpointIdOf(r.key())), Duration.ofSeconds(20))) {
                CheckpointChunk chunk = CheckpointChunk.decode(record.value());
                // A key per chunk (the topic is compacted), and every chunk of a checkpoint on its id's partition.
                assertThat(record.key()).isEqualTo(chunk.checkpointId() + "/" + chunk.index());
                assertThat(record.partition()).as(record.key())
                        .isEqualTo(CheckpointChunk.partitionOf(chunk.checkpointId(), 3));
                Optional<Path> done = assembler.accept(chunk);
                if (chunk.checkpointId().equals(jobId + "-final") && done.isPresent()) {
                    finalArchive = done;
                }
            }
        }
        assertThat(finalArchive).isPresent();
        Path modelDir = work.resolve("model");
        try (var in = Files.newInputStream(finalArchive.get())) {
            ModelArchive.unzip(in, modelDir);
        }
        CheckpointInfo info = Json.read(Files.readString(modelDir.resolve("checkpoint.json")), CheckpointInfo.class);
        assertThat(info.last()).isTrue();
        assertThat(info.history()).hasSize(5);
        assertThat(Files.readString(modelDir.resolve("config.json"))).contains("\"positive\"");
        // The reassembled checkpoint is the best epoch's model: it scores the validation split as reported.
        try (EncoderClassifier model = EncoderClassifier.load(modelDir, null, ai.djl.Device.cpu())) {
            float[][] logits = Predictor.logits(model,
                    validation.stream().map(TokenizedExample::inputIds).toList(), 16);
            int correct = 0;
            for (int i = 0; i < logits.length; i++) {
                correct += (logits[i][1] > logits[i][0] ? 1 : 0) == validation.get(i).label() ? 1 : 0;
            }
            assertThat((double) correct / logits.length).isEqualTo(info.validationAccuracy()).isGreaterThan(0.9);
        }

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("finetune_trainer_loss").contains("finetune_trainer_tokens_per_second")
                .doesNotContainPattern("(?m)^finetune_training_"); // topic labels may say finetune_training_jobs
        assertThat(metrics).containsPattern("finetune_trainer_jobs_total\\{.*outcome=\"completed\".*} 1");
    }

    @Test
    void refusesUnknownDatasetsModelsAndAbsurdHyperparameters() {
        given().contentType(ContentType.JSON).body("{\"dataset\": \"nobody-made-this\"}").post("/jobs")
                .then().statusCode(404).contentType("application/problem+json").body("detail", containsString("not prepared"));
        given().contentType(ContentType.JSON).body("{\"dataset\": \"%s\", \"baseModel\": \"no-such-model\"}"
                        .formatted(DATASET)).post("/jobs")
                .then().statusCode(422).body("detail", containsString("no-such-model"));
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "hyperparameters": {"learningRate": 50, "epochs": 0}}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422)
                .body("detail", containsString("learningRate")).body("detail", containsString("epochs"));
        given().contentType(ContentType.JSON).body("{\"dataset\": \"../x\"}").post("/jobs").then().statusCode(400);
        given().get("/jobs/job-none").then().statusCode(404);
    }

    /** Out of memory would kill the trainer, and the job would kill it again at each restart: refused up front. */
    @Test
    void aJobWhoseTrainingCannotFitInMemoryIsRefusedSayingWhatItNeedsWhatThereIsAndWhatToLower() {
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-tiny",
                         "hyperparameters": {"batchSize": 4096, "maxLength": 64}}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("training needs about 4.9 GiB (weights 1 MiB, gradients 1 MiB"))
                .body("detail", containsString("on cpu(), but there is 1.0 GiB (trainer.training-memory)"))
                .body("detail", containsString("Lower batchSize (now 4096) or maxLength (now 64): batchSize 256"
                        + " would fit"))
                .body("detail", containsString("gradientAccumulationSteps"));
    }

    @Test
    void anUncachedHuggingFaceIdOfflineIsRefusedSayingWhereItLookedAndHowToProvideIt() {
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-base-uncased"}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("model 'distilbert-base-uncased' is not available offline:"
                        + " HF_HUB_OFFLINE is set"))
                .body("detail", containsString(hubCache().resolve("models--distilbert-base-uncased")
                        + " (from HF_HUB_CACHE"))
                .body("detail", containsString("$HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub"))
                .body("detail", containsString("name a model directory"))
                .body("detail", containsString("bin/import-model"))
                .body("detail", containsString("allow downloads by unsetting HF_HUB_OFFLINE"));
    }

    @Test
    void aJobOnTheTopicNamingAnUncachedModelFailsWithTheReasonRestGives() {
        String reason = given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "baseModel": "distilbert-base-uncased"}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).extract().path("detail");
        TopicTail.produce(kafka(), Topics.TRAINING_JOBS, List.of("job-uncached"), List.of("""
                {"v":1,"jobId":"job-uncached","dataset":"%s","baseModel":"distilbert-base-uncased",
                 "submittedAt":"2026-01-01T00:00:00Z"}""".formatted(DATASET).getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/jobs/job-uncached").then()
                .statusCode(200).body("state", equalTo("FAILED")).body("message", equalTo(reason)));
    }

    @Test
    void bodiesThatAreNotAJobAreRefusedNamingTheField() {
        given().contentType(ContentType.JSON).body("{\"dataset\":").post("/jobs").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("the request body is not valid JSON: Unexpected end-of-input"));
        given().contentType(ContentType.JSON).body("{\"dataset\": [\"%s\"]}".formatted(DATASET)).post("/jobs")
                .then().statusCode(400).contentType("application/problem+json")
                .body("detail", equalTo("'dataset' must be a string, not an array"));
        given().contentType(ContentType.JSON).body("[]").post("/jobs").then().statusCode(400)
                .body("detail", equalTo("the request body must be a JSON object, not an array"));
        given().get("/no-such-endpoint").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no endpoint at GET /no-such-endpoint"));
        given().put("/jobs").then().statusCode(405).contentType("application/problem+json")
                .body("detail", equalTo("no endpoint at PUT /jobs: the path takes other methods, which /q/openapi"
                        + " lists"));
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "hyperparameters": {"epochs": "many"}}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", equalTo("'hyperparameters.epochs' must be a number, not \"many\""));
    }

    @Test
    void aQueuedJobShowsItsPlaceAndTheJobItWaitsForAndIsCancelledAtOnce() {
        String job = """
                {"dataset": "%s", "baseModel": "distilbert-tiny", "hyperparameters": {"epochs": 100}}"""
                .formatted(DATASET);
        String running = given().contentType(ContentType.JSON).body(job).post("/jobs").then().statusCode(202)
                .extract().path("jobId");
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> given().get("/jobs/" + running).then()
                .body("state", equalTo("RUNNING")).body("queue", nullValue()));
        String waiting = given().contentType(ContentType.JSON).body(job).post("/jobs").then().statusCode(202)
                .extract().path("jobId");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/jobs/" + waiting).then()
                .statusCode(200).body("state", equalTo("QUEUED"))
                .body("queue.position", equalTo(1)).body("queue.waitingFor", equalTo(running)));
        given().get("/jobs").then().body("find { it.jobId == '%s' }.queue.waitingFor".formatted(waiting),
                equalTo(running));

        given().delete("/jobs/" + waiting).then().statusCode(200).body("state", equalTo("CANCELLED"))
                .body("message", equalTo("cancelled before it started")).body("finishedAt", notNullValue());
        given().delete("/jobs/" + running).then().statusCode(202).body("state", equalTo("RUNNING"))
                .body("message", containsString("cancel requested"));
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> given().get("/jobs/" + running).then()
                .body("state", equalTo("CANCELLED")));

        try (TopicTail progress = new TopicTail(kafka(), Topics.PROGRESS)) {
            List<TrainingProgress> events = progress.pollUntil(r -> running.equals(r.key())
                            && TopicTail.text(r).contains("CANCELLED"), Duration.ofSeconds(20)).stream()
                    .filter(r -> waiting.equals(r.key()))
                    .map(r -> Json.read(TopicTail.text(r), TrainingProgress.class)).toList();
            assertThat(events).extracting(TrainingProgress::stage)
                    .containsExactly(TrainingProgress.Stage.QUEUED, TrainingProgress.Stage.CANCELLED);
            assertThat(events.get(0).message()).isEqualTo("queued: position 1 in this trainer's queue, behind running"
                    + " job " + running);
        }
        given().get("/jobs/" + waiting).then().body("state", equalTo("CANCELLED")).body("startedAt", nullValue());
    }

    private static Path hubCache() {
        return Path.of(System.getenv("HF_HUB_CACHE"));
    }

    @Test
    void huggingFaceNamesAreReadAndUnknownSettingsAreRefusedByName() {
        // The alias reaches the policy: its bound names the setting it was given for.
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "hyperparameters": {"learning_rate": 50}}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422).body("detail", containsString("learningRate must be in"));
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "hyperparameters": {"learnig_rate": 3e-5, "optim": "adafactor"}}"""
                        .formatted(DATASET))
                .post("/jobs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("'learnig_rate' is not a training setting"))
                .body("detail", containsString("'optim' is a Hugging Face TrainingArguments setting this "
                        + "trainer does not support"));
        given().contentType(ContentType.JSON).body("""
                        {"dataset": "%s", "learning_rate": 3e-5}""".formatted(DATASET))
                .post("/jobs").then().statusCode(422)
                .body("detail", containsString("'learning_rate' is not a field of a job"))
                .body("detail", containsString("training settings go inside 'hyperparameters'"));
    }

    @Test
    void aJobOnTheTopicWithAnUnknownSettingFailsNamingIt() {
        TopicTail.produce(kafka(), Topics.TRAINING_JOBS, List.of("job-typo"), List.of("""
                {"v":1,"jobId":"job-typo","dataset":"%s","hyperparameters":{"num_train_epoch":3},
                 "submittedAt":"2026-01-01T00:00:00Z"}""".formatted(DATASET).getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/jobs/job-typo").then()
                .statusCode(200).body("state", equalTo("FAILED"))
                .body("message", containsString("'num_train_epoch' is not a training setting")));
    }

    @Test
    void aJobOnTheTopicForAnUnknownDatasetFailsWithItsReason() {
        TopicTail.produce(kafka(), Topics.TRAINING_JOBS, List.of("job-ghost"), List.of("""
                {"v":1,"jobId":"job-ghost","dataset":"ghost-data","submittedAt":"2026-01-01T00:00:00Z"}"""
                .getBytes(StandardCharsets.UTF_8)));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/jobs/job-ghost").then()
                .statusCode(200).body("state", equalTo("FAILED")).body("message", containsString("unknown dataset")));
    }
}
