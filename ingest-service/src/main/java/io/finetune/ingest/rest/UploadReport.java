package io.finetune.ingest.rest;

import java.util.List;
import java.util.Map;

/** The answer to an upload: how many records were accepted, and each rejected line with its reason and field. */
public record UploadReport(String dataset, long accepted, long rejected, List<Map<String, Object>> errors) {
}
