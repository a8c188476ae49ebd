package io.finetune.local.crash;

/**
 * One trial: the fault planned, whether and when it hit, how long the target took to come back, and the verdict.
 *
 * @param retried    whether this is the second run of the trial, the first having ended before the fault's moment
 * @param injectedAt milliseconds into the run when the fault hit, or -1 when the run ended first
 * @param downtime   milliseconds from the kill until the target was ready again, or -1
 */
public record TrialResult(int number, Fault fault, boolean retried, long injectedAt, long downtime,
                          String injectorError, Verdict verdict, Timeline timeline) {
    public boolean injected() {
        return injectedAt >= 0;
    }

    public boolean passed() {
        return injectorError == null && verdict.passed();
    }
}
