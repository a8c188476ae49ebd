package io.finetune.local.data;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BrownTextTest {

    @Test
    void stripsTagsAndJoinsTokensAsPrintedText() {
        String doc = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, and/cc it's/pps+bez"
                + " over/rb ;/.\nWas/bedz it/pps ?/. (/( See/vb page/nn 1/2/cd )/) $/$ 5/cd ,/, 10/cd %/% ./.\n";

        List<BrownText.Paragraph> paragraphs = BrownText.paragraphs(doc);

        assertThat(paragraphs).hasSize(1);
        assertThat(paragraphs.get(0).text()).isEqualTo(
                "The jury said \"no evidence\", and it's over; Was it? (See page 1/2) $5, 10%.");
    }

    @Test
    void blankLinesSeparateParagraphsAndSentenceLinesJoin() {
        String doc = "\n\n\tOne/cd sentence/nn ./.\nAnother/dt one/cd ./.\n\n\n\tSecond/od paragraph/nn ./.\n\n";

        assertThat(BrownText.paragraphs(doc)).containsExactly(
                new BrownText.Paragraph("One sentence. Another one.", 4),
                new BrownText.Paragraph("Second paragraph.", 2));
    }

    @Test
    void countsWordsNotPunctuation() {
        assertThat(BrownText.paragraphs("\t``/`` Yes/rb ,/, 1961/cd ''/'' --/-- ./.").get(0).words()).isEqualTo(2);
    }

    @Test
    void singleQuotesOpenAndCloseLikeDoubleOnes() {
        assertThat(BrownText.detokenize(List.of("He", "said", "`", "no", "'", "."))).isEqualTo("He said 'no'.");
    }
}
