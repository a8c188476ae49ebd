package io.finetune.evaluator.messaging;

import io.finetune.contracts.CheckpointAssembler;
import io.finetune.contracts.CheckpointChunk;
import io.finetune.contracts.DeadLetter;
import io.finetune.contracts.Json;
import io.finetune.contracts.SafeNames;
import io.finetune.evaluator.domain.EvaluationMeters;
import io.finetune.evaluator.domain.EvaluationStore;
import io.finetune.evaluator.domain.Workspace;
import io.finetune.evaluator.retention.CheckpointRetention;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What happens to one consumed chunk: decoded, skipped when its checkpoint was evaluated or queued already, stored
 * until the checkpoint is complete, then handed to the {@link EvaluationQueue}, which evaluates, publishes and
 * records it. A chunk that cannot be read or assembled becomes a dead letter with a reason, so one bad checkpoint
 * never holds up the ones behind it. Blocking (disk, and Kafka's acknowledgement of a dead letter): it runs on a
 * worker thread, one chunk at a time.
 */
@ApplicationScoped
public class CheckpointIntake {
    static final String SERVICE = "evaluator-service";
    private static final Logger LOG = Logger.getLogger(CheckpointIntake.class);
    private static final Duration SEND_TIMEOUT = Duration.ofMinutes(2);
    /** Dead letters carry the raw chunk as Base64; this many bytes fit DeadLetter's 64 KiB payload. */
    private static final int MAX_PAYLOAD_BYTES = DeadLetter.MAX_PAYLOAD_CHARS / 4 * 3;

    private final CheckpointAssembler assembler;
    private final EvaluationQueue queue;
    private final EvaluationStore store;
    private final EvaluatorOutput output;
    private final EvaluationMeters meters;
    private final Workspace workspace;
    private final CheckpointRetention retention;

    public CheckpointIntake(Workspace workspace, EvaluationQueue queue, EvaluationStore store,
                            EvaluatorOutput output, EvaluationMeters meters, CheckpointRetention retention) {
        this.assembler = new CheckpointAssembler(workspace.chunks());
        this.workspace = workspace;
        this.queue = queue;
        this.store = store;
        this.output = output;
        this.meters = meters;
        this.retention = retention;
    }

    /** @param origin where the chunk came from, e.g. "kafka:finetune.training.checkpoints/1@42" */
    public void handle(byte[] value, String origin) {
        if (value == null) {
            // A tombstone: this service released a checkpoint it had evaluated (CheckpointRetention).
            meters.chunk("tombstone");
            return;
        }
        CheckpointChunk chunk;
        try {
            chunk = CheckpointChunk.decode(value);
            SafeNames.check(chunk.checkpointId(), "checkpoint id");
        } catch (IllegalArgumentException e) {
            meters.chunk("corrupt");
            deadLetter(origin, null, "corrupt-chunk", e.getMessage(), rawPayload(value));
            return;
        }
        meters.chunk("accepted");
        if (store.contains(chunk.checkpointId()) || queue.contains(chunk.checkpointId())) {
            // Chunks of one checkpoint share a partition and arrive in order: count a resent checkpoint once.
            if (chunk.index() == chunk.count() - 1) {
                meters.checkpoint("duplicate");
                retention.sentAgain(chunk);
                LOG.infof("checkpoint %s was evaluated or queued already; ignoring its redelivery",
                        chunk.checkpointId());
            }
            return;
        }
        Optional<Path> archive;
        try {
            archive = assembler.accept(chunk);
        } catch (IllegalStateException e) {
            // CheckpointAssembler's size or SHA-256 check: a chunk was lost or altered on the way.
            fail(chunk, origin, "verification-failed", null, e.getMessage());
            return;
        } catch (RuntimeException e) {
            fail(chunk, origin, "assembly-failed", null, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        if (archive.isEmpty()) {
            return; // more chunks to come; this one is safely on disk
        }
        try {
            retention.hold(chunk); // before the chunk is acknowledged: its chunks stay until a review releases them
            queue.submit(chunk.checkpointId(), chunk.jobId(), archive.get(), origin);
        } catch (RuntimeException e) {
            fail(chunk, origin, "assembly-failed", null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The whole checkpoint is dropped, so a publisher that sends it again gets a fresh assembly. */
    private void fail(CheckpointChunk chunk, String origin, String reason, String dataset, String detail) {
        workspace.clean(chunk.checkpointId());
        meters.checkpoint("failed");
        deadLetter(origin, dataset, reason, "checkpoint " + chunk.checkpointId() + " of job " + chunk.jobId() + ": "
                + detail, describe(chunk));
    }

    private void deadLetter(String origin, String dataset, String reason, String detail, String payload) {
        LOG.warnf("dead letter %s from %s: %s", reason, origin, detail);
        output.deadLetter(DeadLetter.of(SERVICE, origin, dataset, reason, detail, payload)).await().atMost(SEND_TIMEOUT);
    }

    /** The chunk's header as JSON: its data is a slice of a zip, useless alone, and too large for a dead letter. */
    private static String describe(CheckpointChunk chunk) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("checkpointId", chunk.checkpointId());
        header.put("jobId", chunk.jobId());
        header.put("index", chunk.index());
        header.put("count", chunk.count());
        header.put("totalBytes", chunk.totalBytes());
        header.put("sha256", chunk.sha256());
        header.put("dataBytes", chunk.data().length);
        return Json.write(header);
    }

    private static String rawPayload(byte[] value) {
        if (value == null) {
            return null;
        }
        return Base64.getEncoder().encodeToString(Arrays.copyOf(value, Math.min(value.length, MAX_PAYLOAD_BYTES)));
    }
}
