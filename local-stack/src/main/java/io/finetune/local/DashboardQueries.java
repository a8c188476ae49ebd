package io.finetune.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.finetune.contracts.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every PromQL query of every panel of the Grafana dashboards in a folder, with Grafana's variables replaced the way
 * Grafana would on a fresh dashboard: built-in intervals by fixed windows, the dashboards' own variables (used only
 * in {@code =~} matchers) by "all values".
 */
public final class DashboardQueries {
    public record Query(String dashboard, String panel, String refId, String expr) {
        @Override
        public String toString() {
            return dashboard + " / " + panel + " [" + refId + "]: " + expr;
        }
    }

    /** Grafana's built-ins; 1m spans many samples at the check's scrape interval and at compose's 15 s. */
    private static final Map<String, String> BUILT_INS = Map.of("__rate_interval", "1m", "__interval", "15s",
            "__range", "5m");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)");

    private DashboardQueries() {
    }

    public static List<Query> load(Path dashboards) {
        List<Query> queries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dashboards)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                JsonNode dashboard = Json.MAPPER.readTree(file.toFile());
                collect(dashboard.path("title").asText(file.getFileName().toString()), dashboard.path("panels"),
                        queries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dashboards in " + dashboards, e);
        }
        if (queries.isEmpty()) {
            throw new IllegalStateException("no panel queries found in " + dashboards);
        }
        return queries;
    }

    private static void collect(String dashboard, JsonNode panels, List<Query> queries) {
        for (JsonNode panel : panels) {
            collect(dashboard, panel.path("panels"), queries); // panels inside a collapsed row
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (expr.isBlank()) {
                    throw new IllegalStateException(dashboard + " / " + panel.path("title").asText()
                            + " has a target without a PromQL expression");
                }
                queries.add(new Query(dashboard, panel.path("title").asText(), target.path("refId").asText(),
                        substitute(expr)));
            }
        }
    }

    static String substitute(String expr) {
        Matcher matcher = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            matcher.appendReplacement(out, Matcher.quoteReplacement(BUILT_INS.getOrDefault(name, ".*")));
        }
        return matcher.appendTail(out).toString();
    }
}
