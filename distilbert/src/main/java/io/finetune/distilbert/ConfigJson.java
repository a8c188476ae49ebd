package io.finetune.distilbert;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reading and writing the parts of a Hugging Face {@code config.json} that every family shares. */
final class ConfigJson {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Keys written for every family. The tensors' type is one of them because save() always writes float32, whatever
     * the source said; transformers 5 calls it {@code dtype}, earlier versions {@code torch_dtype}, and both read
     * {@code torch_dtype}.
     */
    static final Set<String> COMMON_KEYS = Set.of("id2label", "label2id", "model_type", "architectures", "num_labels",
            "torch_dtype", "dtype");

    private ConfigJson() {}

    static int intValue(Map<String, Object> json, String key, int fallback) {
        Object v = json.get(key);
        return v instanceof Number n ? n.intValue() : fallback;
    }

    static double doubleValue(Map<String, Object> json, String key, double fallback) {
        Object v = json.get(key);
        return v instanceof Number n ? n.doubleValue() : fallback;
    }

    /** The keys of {@code json} that neither the family's layout nor {@link #COMMON_KEYS} model. */
    static Map<String, Object> extra(Map<String, Object> json, Set<String> modelled) {
        Map<String, Object> extra = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (!modelled.contains(k) && !COMMON_KEYS.contains(k)) {
                extra.put(k, v);
            }
        });
        return extra;
    }

    /** id2label ordered by id; Hugging Face's default (LABEL_0, LABEL_1) when absent. */
    static List<String> labels(Map<String, Object> json) {
        Object id2label = json.get("id2label");
        if (!(id2label instanceof Map<?, ?> map) || map.isEmpty()) {
            int n = json.get("num_labels") instanceof Number num ? num.intValue() : 2;
            List<String> defaults = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                defaults.add("LABEL_" + i);
            }
            return defaults;
        }
        String[] labels = new String[map.size()];
        for (Map.Entry<?, ?> e : map.entrySet()) {
            int id;
            try {
                id = Integer.parseInt(String.valueOf(e.getKey()));
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException("id2label key '" + e.getKey() + "' is not an integer");
            }
            if (id < 0 || id >= labels.length || labels[id] != null) {
                throw new IllegalArgumentException("id2label ids must be 0.." + (labels.length - 1) + ", got " + map.keySet());
            }
            labels[id] = String.valueOf(e.getValue());
        }
        return List.of(labels);
    }

    /** The start of every family's config: architectures and model_type, as transformers orders them. */
    static Map<String, Object> header(String architecture, String modelType) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("architectures", List.of(architecture));
        json.put("model_type", modelType);
        return json;
    }

    /** id2label, label2id, the extra keys (without overriding modelled ones) and float32 as the tensors' type. */
    static Map<String, Object> finish(Map<String, Object> json, EncoderConfig c) {
        Map<String, String> id2label = new LinkedHashMap<>();
        Map<String, Integer> label2id = new LinkedHashMap<>();
        for (int i = 0; i < c.labels().size(); i++) {
            id2label.put(Integer.toString(i), c.labels().get(i));
            label2id.put(c.labels().get(i), i);
        }
        json.put("id2label", id2label);
        json.put("label2id", label2id);
        c.extra().forEach(json::putIfAbsent);
        json.put("torch_dtype", "float32");
        return json;
    }
}
