package io.finetune.local.replay;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/** Kubernetes resource quantities ({@code 500m}, {@code 2}, {@code 4Gi}, {@code 1G}) as the kubelet reads them. */
final class Quantities {
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("m", new BigDecimal("0.001")), Map.entry("", BigDecimal.ONE),
            Map.entry("k", BigDecimal.TEN.pow(3)), Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)), Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)), Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)), Map.entry("Ti", BigDecimal.valueOf(2).pow(40)));

    static BigDecimal parse(String quantity) {
        String number = quantity.replaceAll("[A-Za-z]+$", "");
        String suffix = quantity.substring(number.length());
        BigDecimal factor = SUFFIXES.get(suffix);
        if (factor == null || number.isEmpty()) {
            throw new IllegalArgumentException("not a Kubernetes quantity: " + quantity);
        }
        return new BigDecimal(number).multiply(factor);
    }

    static long bytes(String quantity) {
        return parse(quantity).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** A resourceFieldRef's value: the quantity over the divisor, rounded up (the kubelet never reports 0 CPUs). */
    static String divide(String quantity, String divisor) {
        return parse(quantity).divide(parse(divisor), 0, RoundingMode.CEILING).toPlainString();
    }

    private Quantities() {
    }
}
