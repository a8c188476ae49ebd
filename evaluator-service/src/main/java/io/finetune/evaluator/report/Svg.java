package io.finetune.evaluator.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts, drawn on the server so the report needs no script or network: line charts, bar charts and a
 * heat map. Every chart has a title and axis labels, and text values are HTML-escaped.
 */
final class Svg {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    private static final int W = 460;
    private static final int H = 300;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 30;
    private static final int BOTTOM = 44;

    /** One named line of (x, y) points. */
    record Series(String name, List<double[]> points) {
    }

    /** Axes span the data unless fixed bounds are given (null = fit). */
    static String lineChart(String title, String xLabel, String yLabel, List<Series> series, Double xMin, Double xMax,
                            Double yMin, Double yMax, boolean diagonal) {
        double x0 = xMin != null ? xMin : min(series, 0);
        double x1 = xMax != null ? xMax : max(series, 0);
        double y0 = yMin != null ? yMin : Math.min(0, min(series, 1));
        double y1 = yMax != null ? yMax : niceCeiling(max(series, 1) * 1.05);
        if (x1 <= x0) {
            x1 = x0 + 1;
        }
        if (y1 <= y0) {
            y1 = y0 + 1;
        }
        StringBuilder s = open(title);
        axes(s, xLabel, yLabel, x0, x1, y0, y1);
        if (diagonal) {
            s.append(line(px(x0, x0, x1), py(y0, y0, y1), px(x1, x0, x1), py(y1, y0, y1), "#bbb", "4 4"));
        }
        for (int k = 0; k < series.size(); k++) {
            String color = COLORS[k % COLORS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : series.get(k).points()) {
                if (Double.isFinite(p[1])) {
                    path.append(path.isEmpty() ? "M" : " L").append(f(px(p[0], x0, x1))).append(',')
                            .append(f(py(p[1], y0, y1)));
                }
            }
            s.append("<path class=\"series\" d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(color)
                    .append("\" stroke-width=\"2\"/>");
            if (series.get(k).points().size() <= 30) {
                for (double[] p : series.get(k).points()) {
                    if (Double.isFinite(p[1])) {
                        s.append("<circle cx=\"").append(f(px(p[0], x0, x1))).append("\" cy=\"")
                                .append(f(py(p[1], y0, y1))).append("\" r=\"3\" fill=\"").append(color).append("\"/>");
                    }
                }
            }
            int ly = TOP + 14 + 16 * k;
            s.append(line(W - RIGHT - 130, ly - 4, W - RIGHT - 112, ly - 4, color, null))
                    .append(text(W - RIGHT - 108, ly, series.get(k).name(), "start", 12));
        }
        return s.append("</svg>").toString();
    }

    /** Vertical bars with their value above each; {@code labels[i]} names bar i. */
    static String barChart(String title, String xLabel, String yLabel, List<String> labels, List<Double> values,
                           Double yMax) {
        double y1 = yMax != null ? yMax
                : niceCeiling(Math.max(1e-9, values.stream().mapToDouble(Double::doubleValue).max().orElse(1)) * 1.1);
        StringBuilder s = open(title);
        axes(s, xLabel, yLabel, Double.NaN, Double.NaN, 0, y1);
        double slot = (W - LEFT - RIGHT) / (double) Math.max(1, values.size());
        for (int i = 0; i < values.size(); i++) {
            double x = LEFT + i * slot + slot * 0.15;
            double top = py(values.get(i), 0, y1);
            s.append("<rect class=\"bar\" x=\"").append(f(x)).append("\" y=\"").append(f(top)).append("\" width=\"")
                    .append(f(slot * 0.7)).append("\" height=\"").append(f(H - BOTTOM - top))
                    .append("\" fill=\"").append(COLORS[0]).append("\"/>");
            s.append(text(x + slot * 0.35, top - 4, number(values.get(i)), "middle", 11));
            s.append(text(x + slot * 0.35, H - BOTTOM + 14, labels.get(i), "middle", 11));
        }
        return s.append("</svg>").toString();
    }

    /** A square matrix of counts, darker for more, rows and columns named by {@code labels}. */
    static String heatMap(String title, String rowLabel, String columnLabel, List<String> labels, int[][] counts) {
        int k = labels.size();
        int size = Math.max(320, 60 + 56 * k);
        int left = 110;
        int top = 40;
        double cell = (size - left - 20) / (double) k;
        int height = (int) Math.ceil(top + k * cell + 50);
        int max = 1;
        for (int[] row : counts) {
            for (int c : row) {
                max = Math.max(max, c);
            }
        }
        StringBuilder s = new StringBuilder().append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" ")
                .append("class=\"chart heatmap\" width=\"").append(size).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(size).append(' ').append(height).append("\"><title>")
                .append(Html.escape(title)).append("</title>");
        s.append(text(size / 2.0, 16, title, "middle", 14));
        for (int r = 0; r < k; r++) {
            s.append(text(left - 6, top + (r + 0.5) * cell + 4, labels.get(r), "end", 11));
            s.append(text(left + (r + 0.5) * cell, top + k * cell + 16, labels.get(r), "middle", 11));
            for (int c = 0; c < k; c++) {
                double shade = counts[r][c] / (double) max;
                String fill = String.format(Locale.ROOT, "rgb(%d,%d,%d)", (int) (255 - 200 * shade),
                        (int) (255 - 150 * shade), 255);
                s.append("<rect class=\"cell\" x=\"").append(f(left + c * cell)).append("\" y=\"")
                        .append(f(top + r * cell)).append("\" width=\"").append(f(cell)).append("\" height=\"")
                        .append(f(cell)).append("\" fill=\"").append(fill).append("\" stroke=\"#ccc\"/>");
                s.append("<text x=\"").append(f(left + (c + 0.5) * cell)).append("\" y=\"")
                        .append(f(top + (r + 0.5) * cell + 5)).append("\" text-anchor=\"middle\" font-size=\"14\" ")
                        .append("fill=\"").append(shade > 0.6 ? "#fff" : "#000").append("\">").append(counts[r][c])
                        .append("</text>");
            }
        }
        s.append(text(left + k * cell / 2, top + k * cell + 34, columnLabel, "middle", 12));
        s.append("<text x=\"14\" y=\"").append(f(top + k * cell / 2)).append("\" font-size=\"12\" ")
                .append("text-anchor=\"middle\" transform=\"rotate(-90 14 ").append(f(top + k * cell / 2))
                .append(")\">").append(Html.escape(rowLabel)).append("</text>");
        return s.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        return new StringBuilder().append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" ")
                .append("width=\"").append(W).append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W)
                .append(' ').append(H).append("\"><title>").append(Html.escape(title)).append("</title>")
                .append(text(W / 2.0, 18, title, "middle", 14));
    }

    /** Frame, 5 ticks per numeric axis (an axis with NaN bounds gets no ticks: bar charts label their bars). */
    private static void axes(StringBuilder s, String xLabel, String yLabel, double x0, double x1, double y0,
                             double y1) {
        s.append(line(LEFT, TOP, LEFT, H - BOTTOM, "#333", null))
                .append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#333", null));
        for (int i = 0; i <= 4; i++) {
            double yv = y0 + (y1 - y0) * i / 4;
            double y = py(yv, y0, y1);
            s.append(line(LEFT - 4, y, W - RIGHT, y, "#eee", null)).append(text(LEFT - 6, y + 4, number(yv), "end",
                    10));
            if (!Double.isNaN(x0) && !integerAxis(x0, x1)) {
                double xv = x0 + (x1 - x0) * i / 4;
                s.append(text(px(xv, x0, x1), H - BOTTOM + 14, number(xv), "middle", 10));
            }
        }
        if (integerAxis(x0, x1)) { // epochs: one tick per whole number, none in between
            for (long xv = (long) x0; xv <= x1; xv++) {
                s.append(text(px(xv, x0, x1), H - BOTTOM + 14, Long.toString(xv), "middle", 10));
            }
        }
        s.append(text((LEFT + W - RIGHT) / 2.0, H - 8, xLabel, "middle", 12));
        double mid = (TOP + H - BOTTOM) / 2.0;
        s.append("<text x=\"14\" y=\"").append(f(mid)).append("\" font-size=\"12\" text-anchor=\"middle\" ")
                .append("transform=\"rotate(-90 14 ").append(f(mid)).append(")\">").append(Html.escape(yLabel))
                .append("</text>");
    }

    private static boolean integerAxis(double x0, double x1) {
        return x0 == Math.rint(x0) && x1 == Math.rint(x1) && x1 - x0 <= 12 && x1 - x0 >= 1;
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code v}, so tick labels stay short. */
    static double niceCeiling(double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[]{1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= v * (1 - 1e-12)) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static double px(double x, double x0, double x1) {
        return LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
    }

    private static double py(double y, double y0, double y1) {
        return H - BOTTOM - (y - y0) / (y1 - y0) * (H - TOP - BOTTOM);
    }

    private static String line(double xa, double ya, double xb, double yb, String color, String dash) {
        return "<line x1=\"" + f(xa) + "\" y1=\"" + f(ya) + "\" x2=\"" + f(xb) + "\" y2=\"" + f(yb)
                + "\" stroke=\"" + color + "\"" + (dash == null ? "" : " stroke-dasharray=\"" + dash + "\"") + "/>";
    }

    private static String text(double x, double y, String value, String anchor, int size) {
        return "<text x=\"" + f(x) + "\" y=\"" + f(y) + "\" text-anchor=\"" + anchor + "\" font-size=\"" + size
                + "\">" + Html.escape(value) + "</text>";
    }

    private static double min(List<Series> series, int axis) {
        return series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[axis]).filter(Double::isFinite)
                .min().orElse(0);
    }

    private static double max(List<Series> series, int axis) {
        return series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[axis]).filter(Double::isFinite)
                .max().orElse(1);
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return Long.toString((long) v);
        }
        String s = String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private Svg() {
    }
}
