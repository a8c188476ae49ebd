package io.finetune.contracts;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link Hyperparameters} by {@link TrainingSettings}' names: the setting's own name or a Hugging Face alias,
 * each setting at most once, nothing else. Values are converted as Jackson converts record components, so a wrong
 * type fails as it always did.
 */
public final class HyperparametersReader extends JsonDeserializer<Hyperparameters> {
    @Override
    public Hyperparameters deserialize(JsonParser parser, DeserializationContext context) throws IOException {
        JsonNode tree = parser.readValueAsTree();
        if (tree == null || tree.isNull()) {
            return null;
        }
        if (!tree.isObject()) {
            throw new InvalidSettingsException(List.of("hyperparameters must be a JSON object, got " + tree));
        }
        RecordComponent[] components = Hyperparameters.class.getRecordComponents();
        Map<String, String> givenAs = new LinkedHashMap<>();
        Object[] values = new Object[components.length];
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = field.getKey();
            TrainingSettings.Setting setting = TrainingSettings.byName(key).orElse(null);
            if (setting == null) {
                problems.add(TrainingSettings.whyRefused(key));
                continue;
            }
            String earlier = givenAs.putIfAbsent(setting.name(), key);
            if (earlier != null) {
                problems.add("'" + setting.name() + "' is given twice, as '" + earlier + "' and as '" + key + "'");
                continue;
            }
            int index = TrainingSettings.ALL.indexOf(setting);
            JavaType type = context.getTypeFactory().constructType(components[index].getGenericType());
            try {
                values[index] = field.getValue().isNull() ? null
                        : context.readTreeAsValue(field.getValue(), type);
            } catch (JsonMappingException e) {
                throw JsonMappingException.wrapWithPath(e, Hyperparameters.class, key); // names the setting
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
        try {
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
            }
            return Hyperparameters.class.getDeclaredConstructor(types).newInstance(values);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Hyperparameters' canonical constructor", e);
        }
    }
}
