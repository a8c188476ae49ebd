package io.finetune.evaluator.report;

import io.finetune.contracts.ClassMetrics;
import io.finetune.contracts.EvaluationResult;
import io.finetune.evaluator.domain.EvaluatedCheckpoint;
import io.finetune.evaluator.domain.Finding;
import io.finetune.evaluator.domain.WrongExample;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportPageTest {
    @Test
    void textFromTheDatasetIsEscapedNotRendered() {
        String label = "<b>bold</b>";
        EvaluationResult result = new EvaluationResult(EvaluationResult.VERSION, "job", "ckpt", "d", 1, 1L, "test", 2,
                0.5, 0.7, 0.5, 0.5, List.of(label, "ok"), List.of(new ClassMetrics(label, 1, 0.5, 0.66, 2),
                new ClassMetrics("ok", 0, 0, 0, 0)), new int[][]{{1, 1}, {0, 0}}, Instant.EPOCH, null, null, 0.1,
                List.of(new EvaluationResult.LengthBucket(1, 16, 2, 0.5)));
        EvaluatedCheckpoint evaluation = new EvaluatedCheckpoint(result, null, null, null, List.of(
                new WrongExample("e1", label, "ok", 0.97, 5, "<script>alert('x')</script> & more")), 1);

        String html = ReportPage.render(evaluation, List.of(new Finding("label-noise", "Suspected label noise",
                "1 of 2 <wrong>", "fix labels")));

        assertThat(html).doesNotContain("<script>", "<b>bold", "<wrong>")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more", "&lt;b&gt;bold&lt;/b&gt;",
                        "id=\"finding-label-noise\"", "0.9700");
        assertThat(html.split("<svg", -1)).hasSize(3); // confusion matrix and accuracy by length only
    }

    @Test
    void axesEndOnRoundNumbers() {
        assertThat(Svg.niceCeiling(0.473)).isEqualTo(0.5);
        assertThat(Svg.niceCeiling(1.9)).isEqualTo(2.0);
        assertThat(Svg.niceCeiling(36)).isEqualTo(50);
        assertThat(Svg.number(0.25)).isEqualTo("0.25");
        assertThat(Svg.number(3)).isEqualTo("3");
    }
}
