package dev.spikestep.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The flat JSON objects of the results files ({@code epochs.jsonl}, {@code runs.jsonl},
 * {@code sweep.json}, {@code eval.jsonl}), read and written with Jackson: string, number, boolean
 * and null values. Reading gives integers as Long and other numbers as Double. Writing keeps the
 * files' number format: integral values as integers, others to 6 significant digits, NaN and
 * infinities (which JSON lacks) as strings.
 */
public final class Json {
    /** One mapper for the project: integers as Long, a line with anything after its object refused. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }

    /** The object on one line; IllegalArgumentException when the line is not a flat object (a torn last line, say). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String line) {
        Object v;
        try {
            v = MAPPER.readValue(line, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getOriginalMessage(), e);
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("not a JSON object: " + line);
        }
        for (Object x : m.values()) {
            if (x instanceof Map || x instanceof List) {
                throw new IllegalArgumentException("not a flat JSON object: " + line);
            }
        }
        return new LinkedHashMap<>((Map<String, Object>) m);
    }

    /** One flat object on one line, without the newline. */
    public static String object(Map<String, ?> row) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(w)) {
            g.writeStartObject();
            for (Map.Entry<String, ?> e : row.entrySet()) {
                g.writeFieldName(e.getKey());
                value(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return w.toString();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Integer || v instanceof Long) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isFinite(d)) {
                g.writeNumber(number(d));
            } else {
                g.writeString(Double.toString(d));
            }
        } else {
            g.writeString(v.toString());
        }
    }

    /**
     * Integral values as integers, others with every digit ({@link Double#toString}): for identities
     * and metadata (run ids, checkpoint keys, start-up tables), where 6 digits could merge two runs.
     */
    public static String exact(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** Integral values as integers, others to 6 significant digits without trailing zeros (as CSV cells too). */
    public static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2").replaceFirst("\\.(e|$)", "$1");
    }
}
