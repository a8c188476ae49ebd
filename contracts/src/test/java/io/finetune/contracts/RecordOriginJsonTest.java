package io.finetune.contracts;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The origin is an addition: events without one are the same JSON as before it existed, and it survives a trip. */
class RecordOriginJsonTest {
    @Test
    void aRecordWithoutOriginIsTheJsonOfBefore() {
        assertThat(Json.write(DatasetRecord.record("imdb", "r-1", "Great!", "pos", "train"))).isEqualTo(
                "{\"v\":1,\"dataset\":\"imdb\",\"kind\":\"RECORD\",\"id\":\"r-1\",\"text\":\"Great!\",\"label\":\"pos\","
                        + "\"split\":\"train\"}");
        assertThat(Json.write(new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of()))).isEqualTo(
                "{\"steps\":[],\"duplicatesRemoved\":0,\"emptyDropped\":0,\"truncated\":0,\"labelsPerSplit\":{},"
                        + "\"tokenLengthHistogram\":{}}");
    }

    @Test
    void aCorrectionAndTheReportsCountsSurviveATrip() {
        DatasetRecord record = DatasetRecord.record("mails", RecordOrigin.correctionId("phishing", "m-1"), "Lunch?",
                "legit", null, RecordOrigin.correction("phishing", "m-1", "job-7-epoch-3", "phishing"));
        String json = Json.write(record);

        assertThat(json).contains("\"id\":\"correction:phishing:m-1\"").doesNotContain("\"correction\":true");
        assertThat(Json.read(json, DatasetRecord.class)).isEqualTo(record);
        assertThat(Json.read(json, DatasetRecord.class).originKind()).isEqualTo("correction");

        CleaningReport report = new CleaningReport(List.of(), 0, 0, 0, Map.of(), Map.of(),
                Map.of("correction", new CleaningReport.OriginCount(3, 2)));
        assertThat(Json.read(Json.write(report), CleaningReport.class)).isEqualTo(report);
    }
}
