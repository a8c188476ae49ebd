package io.finetune.ingest.messaging;

import io.finetune.contracts.PreprocessOptions;
import io.finetune.ingest.domain.DatasetRegistry;
import io.finetune.ingest.domain.NextSeal;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Seals the next version of a continuous dataset defined with {@code sealEvery} once that many records were
 * accepted since its newest seal, and its newest version is prepared or failed (as a requested seal must wait for).
 * Looks every {@code ingest.registry.publish-interval}, the cadence at which other replicas' counts arrive. The
 * version takes the options of the prepared one (or those of the newest seal, or preprocess's defaults before any).
 */
@ApplicationScoped
@Startup
public class VersionSealer {
    private static final Logger LOG = Logger.getLogger(VersionSealer.class);
    private final DatasetRegistry registry;
    private final PreparedDatasets prepared;
    private final RecordIntake intake;
    private final RegistryConfig config;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "ingest-version-sealer");
        thread.setDaemon(true);
        return thread;
    });

    public VersionSealer(DatasetRegistry registry, PreparedDatasets prepared, RecordIntake intake,
                         RegistryConfig config) {
        this.registry = registry;
        this.prepared = prepared;
        this.intake = intake;
        this.config = config;
    }

    @PostConstruct
    void start() {
        long every = Math.max(100, config.publishInterval().toMillis());
        timer.scheduleWithFixedDelay(this::sealDue, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        timer.shutdownNow();
    }

    /** One look at every dataset; a failure (the broker away) is logged and the next look tries again. */
    void sealDue() {
        for (String dataset : registry.dueForSeal()) {
            try {
                NextSeal next = registry.nextSeal(dataset, () -> prepared.outcome(dataset),
                        () -> prepared.newestManifest(dataset));
                if (next instanceof NextSeal.Allowed allowed) {
                    PreprocessOptions options = allowed.fixed() != null ? allowed.fixed()
                            : registry.newestSealOptions(dataset);
                    if (intake.sealDue(dataset, allowed.number(), options).get(config.waitLimit().toMillis(),
                            TimeUnit.MILLISECONDS)) {
                        LOG.infof("dataset %s: version %d sealed, at least %d records accepted since the last seal",
                                dataset,
                                allowed.number(), registry.definition(dataset).sealEvery());
                    }
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
                LOG.warnf("dataset %s: sealing its due version failed (%s); trying again", dataset, e.toString());
            }
        }
    }
}
