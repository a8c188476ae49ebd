package io.finetune.evaluator.serving;

import io.finetune.contracts.Json;
import io.finetune.contracts.PromotionDecision;
import io.finetune.contracts.Topics;
import io.finetune.evaluator.messaging.AcknowledgedProducer;
import jakarta.enterprise.context.ApplicationScoped;

/** Puts promotion decisions on {@link Topics#PROMOTIONS}, keyed by deployment, and returns once Kafka acknowledged them. */
@ApplicationScoped
public class PromotionEvents {
    private final AcknowledgedProducer producer;

    public PromotionEvents(AcknowledgedProducer producer) {
        this.producer = producer;
    }

    /** @throws IllegalStateException when Kafka did not acknowledge it in time: the decision is taken again */
    public void publish(PromotionDecision decision) {
        producer.send(Topics.PROMOTIONS, decision.deployment(), Json.write(decision),
                "the promotion decision of deployment " + decision.deployment());
    }
}
