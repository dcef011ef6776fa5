package org.knowcoder.ie.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a JSON dataset file, each with the line it starts on, so that errors can name
 * file and line: the elements of a top-level array (SpERT), or one object per line (DyGIE).
 */
final class JsonRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Record(JsonNode node, long line) {}

    private JsonRecords() {}

    static List<Record> read(Path file) throws IOException {
        List<Record> out = new ArrayList<>();
        try (JsonParser p = JSON.createParser(file.toFile())) {
            JsonToken first = p.nextToken();
            boolean array = first == JsonToken.START_ARRAY;
            JsonToken t = array ? p.nextToken() : first;
            while (t != null && t != JsonToken.END_ARRAY) {
                long line = p.currentTokenLocation().getLineNr();
                if (t != JsonToken.START_OBJECT) throw new MalformedDataException(file, line, "expected a JSON object, got " + t);
                out.add(new Record(p.readValueAsTree(), line));
                t = p.nextToken();
            }
        } catch (JsonProcessingException e) {
            throw new MalformedDataException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), e.getOriginalMessage());
        }
        return out;
    }

    /** The field's value, which must be an array. */
    static JsonNode array(JsonNode o, String field, Path file, long line) throws MalformedDataException {
        JsonNode v = o.get(field);
        if (v == null || !v.isArray()) throw new MalformedDataException(file, line, "expected an array \"" + field + "\"");
        return v;
    }

    /** The field's value, which must be an integer. */
    static int integer(JsonNode o, String field, Path file, long line) throws MalformedDataException {
        JsonNode v = o.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) throw new MalformedDataException(file, line, "expected an integer \"" + field + "\"");
        return v.intValue();
    }

    static List<String> strings(JsonNode array, Path file, long line) throws MalformedDataException {
        List<String> out = new ArrayList<>(array.size());
        for (JsonNode t : array) {
            if (!t.isTextual()) throw new MalformedDataException(file, line, "expected a string, got " + t);
            out.add(t.textValue());
        }
        return out;
    }
}
