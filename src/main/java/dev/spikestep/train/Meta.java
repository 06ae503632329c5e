package dev.spikestep.train;

import dev.spikestep.SpikestepException;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed reads of a checkpoint's metadata (safetensors' string map): a malformed value ends as a
 * {@link SpikestepException} that names the key and the value, not as a NumberFormatException's
 * stack trace, and a boolean is {@code true} or {@code false}, not anything else read as false.
 */
public final class Meta {
    private Meta() {
    }

    public static int integer(Map<String, String> m, String key, String dflt) {
        return parse(m, key, dflt, Integer::parseInt, "an integer");
    }

    public static long longInteger(Map<String, String> m, String key, String dflt) {
        return parse(m, key, dflt, Long::parseLong, "an integer");
    }

    public static double number(Map<String, String> m, String key, String dflt) {
        return parse(m, key, dflt, Double::parseDouble, "a number");
    }

    /** As {@link #number}, rounded once to float as the writer's {@code Float.toString} was. */
    public static float single(Map<String, String> m, String key, String dflt) {
        return parse(m, key, dflt, Float::parseFloat, "a number");
    }

    public static boolean bool(Map<String, String> m, String key, String dflt) {
        String v = value(m, key, dflt);
        return switch (v) {
            case "true" -> true;
            case "false" -> false;
            default -> throw bad(key, v, "true or false");
        };
    }

    private static <T> T parse(Map<String, String> m, String key, String dflt, Function<String, T> parser, String what) {
        String v = value(m, key, dflt);
        try {
            return parser.apply(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, what);
        }
    }

    private static String value(Map<String, String> m, String key, String dflt) {
        String v = m.getOrDefault(key, dflt);
        if (v == null) {
            throw new SpikestepException("the checkpoint's metadata has no '" + key + "'");
        }
        return v;
    }

    private static SpikestepException bad(String key, String v, String what) {
        return new SpikestepException("the checkpoint's metadata has " + key + " = '" + v + "', not " + what);
    }
}
