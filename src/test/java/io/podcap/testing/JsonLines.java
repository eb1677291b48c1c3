package io.podcap.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses JSON lines (one object per line) into maps, lists and values, with jackson-core's streaming parser. */
public final class JsonLines {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonLines() {
    }

    /** One map per non-blank line; fails on a line that is not exactly one object. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> parse(String out) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
            try (JsonParser p = JSON.createParser(line)) {
                Object v = value(p, p.nextToken());
                if (!(v instanceof Map) || p.nextToken() != null) {
                    throw new AssertionError("not one JSON object: " + line);
                }
                rows.add((Map<String, Object>) v);
            }
        }
        return rows;
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    l.add(value(p, e));
                }
                return l;
            }
            case VALUE_NULL -> {
                return null;
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return p.getBooleanValue();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            default -> {
                return p.getText();
            }
        }
    }
}
