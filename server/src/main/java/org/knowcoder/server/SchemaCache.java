package org.knowcoder.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.knowcoder.api.Schema;
import org.knowcoder.io.BadInputException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schemas of recent requests by what the request said, so that requests with the same types
 * share one Schema: the library builds a schema's prompts once, and the decoder reuses a prompt
 * prefix only among prompts of the same schema. Bounded, least recently used first out, since
 * clients may send any number of different types.
 */
final class SchemaCache {
    static final int SIZE = 64;

    private final Schema defaults;
    private final Map<String, Schema> schemas = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schema> eldest) {
            return size() > SIZE;
        }
    };

    /** @param defaults the types used when a request names none (the embedded model's); null: a request must name them */
    SchemaCache(Schema defaults) {
        this.defaults = defaults;
    }

    /** The request's types and tasks; a type or task the library refuses is a 400 with its message. */
    synchronized Schema of(ExtractRequest r) {
        String key = r.types() + "|" + r.schema() + "|" + r.tasks();
        Schema s = schemas.get(key);
        if (s == null) {
            s = build(r.types(), r.schema(), r.tasks());
            schemas.put(key, s);
        }
        return s;
    }

    private Schema build(JsonNode types, JsonNode schema, List<String> tasks) {
        try {
            Schema s;
            if (types != null) s = Schema.of(names(types));
            else if (schema != null) s = Schema.fromTypesJson(schema, "\"schema\"");
            else if (defaults != null) s = defaults;
            else throw ApiError.badRequest("name the types: \"types\": [\"Person\", ...] or \"schema\": [{\"name\": \"Person\", ...}]");
            return tasks.isEmpty() ? s : s.tasks(tasks.toArray(String[]::new));
        } catch (BadInputException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    private static String[] names(JsonNode types) {
        String[] out = new String[types.size()];
        for (int i = 0; i < out.length; i++) out[i] = types.get(i).asText();
        return out;
    }
}
