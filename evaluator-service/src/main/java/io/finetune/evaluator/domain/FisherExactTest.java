package io.finetune.evaluator.domain;

/**
 * Fisher's exact test on the 2×2 table of right and wrong answers in two samples: how likely a split at least this
 * uneven is when both samples come from one accuracy. Exact at any size, where a two-proportion z-test's normal
 * approximation is poor for the tens of examples a small validation split holds.
 */
final class FisherExactTest {
    /** Tables within this relative likelihood of the observed one count as no more likely (R's fisher.test). */
    private static final double TIE = 1e-7;

    private FisherExactTest() {
    }

    /**
     * The two-sided p-value for {@code right1} right answers of {@code n1} against {@code right2} of {@code n2}: the
     * probability, with the table's margins fixed, of every table no more likely than the observed one.
     */
    static double twoSided(int right1, int n1, int right2, int n2) {
        int right = right1 + right2;
        double[] logFactorial = logFactorials(n1 + n2);
        double observed = logProbability(right1, n1, n2, right, logFactorial);
        double p = 0;
        for (int x = Math.max(0, right - n2); x <= Math.min(n1, right); x++) {
            double log = logProbability(x, n1, n2, right, logFactorial);
            if (log <= observed + TIE) {
                p += Math.exp(log);
            }
        }
        return Math.min(1.0, p);
    }

    /** Hypergeometric: {@code x} of the {@code right} answers in the first sample of {@code n1}. */
    private static double logProbability(int x, int n1, int n2, int right, double[] logFactorial) {
        return logChoose(right, x, logFactorial) + logChoose(n1 + n2 - right, n1 - x, logFactorial)
                - logChoose(n1 + n2, n1, logFactorial);
    }

    private static double logChoose(int n, int k, double[] logFactorial) {
        return logFactorial[n] - logFactorial[k] - logFactorial[n - k];
    }

    private static double[] logFactorials(int n) {
        double[] out = new double[n + 1];
        for (int i = 2; i <= n; i++) {
            out[i] = out[i - 1] + Math.log(i);
        }
        return out;
    }
}
