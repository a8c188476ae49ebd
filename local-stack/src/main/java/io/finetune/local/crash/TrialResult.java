package io.finetune.local.crash;

/**
 * One trial: the fault planned, whether and when it hit, how long the target took to come back, and the verdict.
 *
 * @param killed     the process killed (with replicas, the one the fault's {@code process} came to), or null
 * @param retried    whether this is the second run of the trial, the first having ended before the fault's moment
 * @param injectedAt milliseconds into the run when the fault hit, or -1 when the run ended first
 * @param downtime   milliseconds from the kill until the target was ready again, or -1
 */
public record TrialResult(int number, Fault fault, String killed, boolean retried, long injectedAt, long downtime,
                          String injectorError, Verdict verdict, Timeline timeline) {
    /** What the table shows: the target, and with replicas which one was killed, busy or other. */
    String killedText() {
        return fault.process() == null || killed == null ? fault.target()
                : fault.target() + " (" + fault.process() + ": " + killed + ")";
    }

    public boolean injected() {
        return injectedAt >= 0;
    }

    /** What the verdict's check of this name found, in words (as the table shows it); empty without such a check. */
    public java.util.Optional<String> detail(String check) {
        return verdict == null ? java.util.Optional.empty() : verdict.checks().stream()
                .filter(c -> c.name().equals(check)).map(Verdict.Check::detail).findFirst();
    }

    public boolean passed() {
        return injectorError == null && verdict.passed();
    }
}
