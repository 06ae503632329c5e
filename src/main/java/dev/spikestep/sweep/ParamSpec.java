package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import dev.spikestep.io.Json;
import java.util.List;

/**
 * One key of a sweep configuration: its type, its allowed values (a list of names, or a lower
 * bound for numbers) and its default. {@link #normalize} turns what YAML produced into the one
 * canonical Java type of the key (Long, Double, String or Boolean), or explains what is allowed.
 *
 * @param min smallest allowed number (INT, FLOAT); {@code minExclusive} makes it a strict bound
 * @param defaultValue the value when neither base nor axes give one; null means the key is required
 */
public record ParamSpec(String key, Kind kind, List<String> choices, double min, boolean minExclusive,
                        Object defaultValue, String help) {
    public enum Kind { INT, FLOAT, STRING, BOOL }

    public static ParamSpec choice(String key, String defaultValue, String help, String... choices) {
        return new ParamSpec(key, Kind.STRING, List.of(choices), 0, false, defaultValue, help);
    }

    public static ParamSpec integer(String key, long min, Long defaultValue, String help) {
        return new ParamSpec(key, Kind.INT, List.of(), min, false, defaultValue, help);
    }

    public static ParamSpec positive(String key, Double defaultValue, String help) {
        return new ParamSpec(key, Kind.FLOAT, List.of(), 0, true, defaultValue, help);
    }

    public static ParamSpec number(String key, Double defaultValue, String help) {
        return new ParamSpec(key, Kind.FLOAT, List.of(), Double.NEGATIVE_INFINITY, false, defaultValue, help);
    }

    public static ParamSpec bool(String key, Boolean defaultValue, String help) {
        return new ParamSpec(key, Kind.BOOL, List.of(), 0, false, defaultValue, help);
    }

    /** What values this key accepts, in words, for error messages and {@code --help}. */
    public String allowed() {
        return switch (kind) {
            case STRING -> String.join(", ", choices);
            case BOOL -> "true, false";
            case INT -> "an integer >= " + (long) min;
            case FLOAT -> Double.isInfinite(min) ? "a finite number"
                    : "a finite number " + (minExclusive ? "> " : ">= ") + Json.exact(min);
        };
    }

    /** The canonical value of {@code raw}, read at {@code where} (for example {@code "axes.dt[2]"}). */
    public Object normalize(String where, Object raw) {
        String bad = where + ": " + describe(raw) + " is not allowed; allowed values: " + allowed();
        switch (kind) {
            case STRING -> {
                if (!(raw instanceof String s) || !choices.contains(s)) {
                    throw new SpikestepException(bad);
                }
                return s;
            }
            case BOOL -> {
                if (!(raw instanceof Boolean b)) {
                    throw new SpikestepException(bad);
                }
                return b;
            }
            case INT -> {
                long v;
                if (raw instanceof Integer || raw instanceof Long) {
                    v = ((Number) raw).longValue();
                } else if (raw instanceof java.math.BigInteger) {
                    throw new SpikestepException(bad);
                } else if (raw instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
                    v = d.longValue();
                } else {
                    throw new SpikestepException(bad);
                }
                if (v < min) {
                    throw new SpikestepException(bad);
                }
                return v;
            }
            case FLOAT -> {
                double v;
                if (raw instanceof Number n) { // 1e-3 too: SweepConfig reads YAML with the 1.2 core schema
                    v = n.doubleValue();
                } else {
                    throw new SpikestepException(bad);
                }
                if (!Double.isFinite(v) || v < min || (minExclusive && v == min)) {
                    throw new SpikestepException(bad);
                }
                return v;
            }
            default -> throw new IllegalStateException();
        }
    }

    private static String describe(Object raw) {
        if (raw == null) {
            return "an empty value";
        }
        if (raw instanceof String s) {
            return "'" + s + "'";
        }
        if (raw instanceof java.util.Map || raw instanceof List) {
            return "a " + (raw instanceof List ? "list" : "mapping") + " (" + raw + ")";
        }
        return String.valueOf(raw);
    }
}
