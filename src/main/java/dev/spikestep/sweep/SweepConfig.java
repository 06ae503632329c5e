package dev.spikestep.sweep;

import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * A sweep: a base experiment plus axes, read from YAML and validated key by key (see the README's
 * "Sweeps" section). {@link #expand()} turns it into the grid, in a fixed order: the cartesian
 * product of the axes in the order the file lists them, the first axis varying slowest.
 *
 * @param base normalized values of {@code base} (canonical types, see {@link ParamSpec#normalize})
 * @param axes normalized values of each axis, in file order
 */
public record SweepConfig(String source, String name, String experiment, String description,
                          Map<String, Object> base, Map<String, List<Object>> axes) {
    public static final List<String> TOP_KEYS = List.of("name", "experiment", "description", "base", "axes");

    /** Reads and validates a configuration file. */
    public static SweepConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new SpikestepException("cannot read sweep configuration " + file + ": " + SpikestepException.reason(e), e);
        }
        return parse(file.toString(), text);
    }

    /** Parses and validates YAML text; {@code source} names it in error messages. */
    public static SweepConfig parse(String source, String yamlText) {
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(false);
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(opts), new Representer(new DumperOptions()), new DumperOptions(), opts,
                    new CoreSchema()).load(yamlText);
        } catch (YAMLException | ClassCastException e) { // the latter: an explicit tag on the wrong node (!!str [1])
            throw new SpikestepException(source + ": not valid YAML: " + String.valueOf(e.getMessage()).replace('\n', ' '), e);
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new SpikestepException(source + ": expected a mapping with the keys " + String.join(", ", TOP_KEYS));
        }
        checkKeys(source, "", top, TOP_KEYS);
        Object nameRaw = top.get("name");
        if (nameRaw instanceof Number || nameRaw instanceof Boolean) { // name: 123 is YAML's number, not a text
            nameRaw = nameRaw.toString();
        }
        if (!(nameRaw instanceof String name) || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new SpikestepException(source + ": name: " + (nameRaw == null ? "missing" : "'" + nameRaw + "' is not allowed")
                    + "; allowed values: letters, digits, '.', '_', '-' (it names output files)");
        }
        Object expRaw = top.get("experiment");
        if (!(expRaw instanceof String experiment) || !ExperimentSchema.NAMES.contains(experiment)) {
            throw new SpikestepException(source + ": experiment: " + (expRaw == null ? "missing" : "'" + expRaw + "' is not allowed")
                    + "; allowed values: " + String.join(", ", ExperimentSchema.NAMES));
        }
        Object descRaw = top.get("description");
        if (descRaw != null && !(descRaw instanceof String)) {
            throw new SpikestepException(source + ": description: expected a text");
        }
        ExperimentSchema schema = ExperimentSchema.of(experiment);
        List<String> keys = schema.keys();

        Map<String, Object> base = new LinkedHashMap<>();
        Object baseRaw = top.get("base");
        if (baseRaw != null) {
            if (!(baseRaw instanceof Map<?, ?> bm)) {
                throw new SpikestepException(source + ": base: expected a mapping of parameters (allowed keys: "
                        + String.join(", ", keys) + ")");
            }
            checkKeys(source, "base.", bm, keys);
            for (Map.Entry<?, ?> e : bm.entrySet()) {
                String k = (String) e.getKey();
                base.put(k, normalize(source, schema, "base." + k, k, e.getValue()));
            }
        }
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        Object axesRaw = top.get("axes");
        if (axesRaw != null) {
            if (!(axesRaw instanceof Map<?, ?> am)) {
                throw new SpikestepException(source + ": axes: expected a mapping from parameter to a list of values "
                        + "(allowed keys: " + String.join(", ", keys) + ")");
            }
            checkKeys(source, "axes.", am, keys);
            for (Map.Entry<?, ?> e : am.entrySet()) {
                String k = (String) e.getKey();
                if (base.containsKey(k)) {
                    throw new SpikestepException(source + ": " + k + " is both in base and in axes; keep it in one of them");
                }
                if (!(e.getValue() instanceof List<?> values) || values.isEmpty()) {
                    throw new SpikestepException(source + ": axes." + k + ": expected a non-empty list, like [" 
                            + example(schema, k) + "]; allowed values: " + allowed(schema, k));
                }
                List<Object> norm = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    Object v = normalize(source, schema, "axes." + k + "[" + i + "]", k, values.get(i));
                    if (norm.contains(v)) {
                        throw new SpikestepException(source + ": axes." + k + ": the value " + v + " appears twice");
                    }
                    norm.add(v);
                }
                axes.put(k, List.copyOf(norm));
            }
        }
        boolean mi = base.containsKey(ExperimentSchema.MODEL_INTEGRATOR) || axes.containsKey(ExperimentSchema.MODEL_INTEGRATOR);
        for (String k : List.of("model", "integrator")) {
            if (mi && (base.containsKey(k) || axes.containsKey(k))) {
                throw new SpikestepException(source + ": " + ExperimentSchema.MODEL_INTEGRATOR + " sets model and integrator; "
                        + "remove the separate " + k + " key");
            }
        }
        SweepConfig cfg = new SweepConfig(source, name, experiment, descRaw == null ? "" : (String) descRaw,
                java.util.Collections.unmodifiableMap(base), java.util.Collections.unmodifiableMap(axes));
        cfg.expand(); // reports required keys and invalid combinations now, not when the sweep starts
        return cfg;
    }

    public ExperimentSchema schema() {
        return ExperimentSchema.of(experiment);
    }

    /**
     * The grid, in order. With separate {@code model} and {@code integrator} axes the pairs a model
     * does not define are left out (an integrator that fits none of the models is an error); a pair
     * fixed by {@code base} or {@code model_integrator} must be valid.
     */
    public List<RunPoint> expand() {
        ExperimentSchema schema = schema();
        List<String> axisKeys = new ArrayList<>(axes.keySet());
        int total = 1;
        for (List<Object> v : axes.values()) {
            total = Math.multiplyExact(total, v.size());
        }
        if (total > 1_000_000) {
            throw new SpikestepException(source + ": the grid has " + total + " points; more than 1000000 is surely a mistake");
        }
        boolean filterIntegrators = axes.containsKey("model") && axes.containsKey("integrator");
        // A transfer grid crosses several models with eval integrators; a model's undefined ones are left out.
        boolean filterPairs = filterIntegrators || axes.containsKey("eval_integrator")
                && (axes.containsKey("model") || axes.containsKey(ExperimentSchema.MODEL_INTEGRATOR));
        List<RunPoint> points = new ArrayList<>();
        Set<Object> usedIntegrators = new HashSet<>();
        Set<Object> usedEvalIntegrators = new HashSet<>();
        Set<String> models = new java.util.TreeSet<>(java.util.Comparator.reverseOrder()); // lif before izh
        Set<String> ids = new HashSet<>();
        String leftOut = null;
        int[] digit = new int[axisKeys.size()];
        for (int n = 0; n < total; n++) {
            Map<String, Object> p = new LinkedHashMap<>();
            schema.params().forEach((k, spec) -> p.put(k, spec.defaultValue()));
            base.forEach((k, v) -> put(p, k, v));
            for (int a = 0; a < axisKeys.size(); a++) {
                put(p, axisKeys.get(a), axes.get(axisKeys.get(a)).get(digit[a]));
            }
            for (Map.Entry<String, Object> e : p.entrySet()) {
                if (e.getValue() == null && !e.getKey().equals("integrator")) {
                    throw new SpikestepException(source + ": " + e.getKey() + " is required (put it in base or axes); "
                            + "allowed values: " + schema.params().get(e.getKey()).allowed());
                }
            }
            if (p.get("model") instanceof String model) {
                models.add(model);
            }
            String why = schema.resolve(p);
            String unused = why == null ? unusedSetting(p) : null;
            if (unused != null) {
                // Left out where an axis crosses it with what it does not apply to (izh in a grid that varies
                // lif's decay_input); anywhere else the grid asks for something no run would do.
                if (!crossed(unused)) {
                    throw new SpikestepException(source + ": " + unusedMessage(unused, p) + " (" + where(unused)
                            + "): the run would not use it");
                }
                leftOut = unusedMessage(unused, p);
            } else if (why == null) {
                String id = RunPoint.runId(experiment, p);
                if (!ids.add(id)) {
                    throw new SpikestepException(source + ": two grid points have the same parameters (" + p + ")");
                }
                points.add(new RunPoint(points.size(), id, experiment, p));
                usedIntegrators.add(p.get("integrator"));
                usedEvalIntegrators.add(p.get("eval_integrator"));
            } else if (!filterPairs) {
                throw new SpikestepException(source + ": " + why);
            }
            for (int a = axisKeys.size() - 1; a >= 0; a--) {
                if (++digit[a] < axes.get(axisKeys.get(a)).size()) {
                    break;
                }
                digit[a] = 0;
            }
        }
        // Leaving out the pairs a model does not define must not leave out a listed value altogether.
        for (String key : List.of("integrator", "eval_integrator")) {
            Set<Object> used = key.equals("integrator") ? usedIntegrators : usedEvalIntegrators;
            if (filterPairs && axes.containsKey(key)) {
                for (Object integ : axes.get(key)) {
                    if (!used.contains(integ)) {
                        throw new SpikestepException(source + ": axes." + key + ": '" + integ + "' is defined for none of "
                                + "the models " + models + " (" + dev.spikestep.neuron.Integrator.byModel(models) + ")");
                    }
                }
            }
        }
        if (points.isEmpty() && leftOut != null) {
            throw new SpikestepException(source + ": the grid has no points: " + leftOut + " in every one");
        }
        if (points.isEmpty()) {
            throw new SpikestepException(source + ": the grid has no points: the models " + models + " define none of "
                    + "its integrators (" + dev.spikestep.neuron.Integrator.byModel(models) + ")");
        }
        return points;
    }

    /**
     * The key of a setting that point {@code p}'s run would not use, or null: decay_input false for
     * izh (its charge has no input leak), a v_reset other than 0 with soft_reset (which subtracts
     * v_th). The command line refuses both; a grid leaves such points out or refuses them.
     */
    private static String unusedSetting(Map<String, Object> p) {
        if ("izh".equals(p.get("model")) && Boolean.FALSE.equals(p.get("decay_input"))) {
            return "decay_input";
        }
        if (Boolean.TRUE.equals(p.get("soft_reset")) && p.get("v_reset") instanceof Number v && v.doubleValue() != 0) {
            return "v_reset";
        }
        return null;
    }

    private static String unusedMessage(String key, Map<String, Object> p) {
        return key.equals("decay_input") ? "decay_input false applies to lif only, not izh"
                : "v_reset " + p.get("v_reset") + " does not apply with soft_reset true (a soft reset subtracts v_th)";
    }

    /** Whether an axis varies {@code key} across what it does not apply to (the models, or soft_reset). */
    private boolean crossed(String key) {
        boolean other = key.equals("decay_input")
                ? axes.containsKey("model") || axes.containsKey(ExperimentSchema.MODEL_INTEGRATOR)
                : axes.containsKey("soft_reset");
        return axes.containsKey(key) && other;
    }

    /**
     * Where the file sets {@code key}, for messages: {@code axes.T} or {@code base.T}, or
     * {@code T (its default)} when neither does.
     */
    public String where(String key) {
        if (axes.containsKey(key)) {
            return "axes." + key;
        }
        return base.containsKey(key) ? "base." + key : key + " (its default)";
    }

    /** The keys whose value varies over the grid (the axes, with model_integrator split in two). */
    public List<String> varying() {
        Set<String> v = new LinkedHashSet<>();
        for (String k : axes.keySet()) {
            if (k.equals(ExperimentSchema.MODEL_INTEGRATOR)) {
                v.add("model");
                v.add("integrator");
            } else {
                v.add(k);
            }
        }
        return List.copyOf(v);
    }

    private static void put(Map<String, Object> p, String key, Object value) {
        if (key.equals(ExperimentSchema.MODEL_INTEGRATOR)) {
            String[] mi = ((String) value).split("/");
            p.put("model", mi[0]);
            p.put("integrator", mi[1]);
        } else {
            p.put(key, value);
        }
    }

    private static Object normalize(String source, ExperimentSchema schema, String where, String key, Object raw) {
        if (key.equals(ExperimentSchema.MODEL_INTEGRATOR)) {
            if (raw instanceof String s) {
                String[] mi = s.split("/", -1);
                if (mi.length == 2 && ExperimentSchema.INTEGRATORS.containsKey(mi[0])
                        && ExperimentSchema.INTEGRATORS.get(mi[0]).contains(mi[1])) {
                    return s;
                }
            }
            throw new SpikestepException(source + ": " + where + ": " + (raw instanceof String ? "'" + raw + "'" : raw)
                    + " is not allowed; allowed values: " + allowed(schema, key));
        }
        return schema.params().get(key).normalize(source + ": " + where, raw);
    }

    private static String allowed(ExperimentSchema schema, String key) {
        if (key.equals(ExperimentSchema.MODEL_INTEGRATOR)) {
            List<String> pairs = new ArrayList<>();
            for (String model : List.of("lif", "izh")) {
                ExperimentSchema.INTEGRATORS.get(model).forEach(i -> pairs.add(model + "/" + i));
            }
            return String.join(", ", pairs);
        }
        return schema.params().get(key).allowed();
    }

    private static String example(ExperimentSchema schema, String key) {
        if (key.equals(ExperimentSchema.MODEL_INTEGRATOR)) {
            return "lif/exp, izh/symplectic";
        }
        ParamSpec p = schema.params().get(key);
        return switch (p.kind()) {
            case STRING -> String.join(", ", p.choices());
            case BOOL -> "true, false";
            case INT -> "0, 1, 2";
            case FLOAT -> "0.5, 1.0";
        };
    }

    private static void checkKeys(String source, String prefix, Map<?, ?> m, List<String> allowed) {
        for (Object k : m.keySet()) {
            if (!(k instanceof String key) || !allowed.contains(key)) {
                throw new SpikestepException(source + ": unknown key '" + prefix + k + "'; allowed keys"
                        + (prefix.isEmpty() ? "" : " in " + prefix.substring(0, prefix.length() - 1)) + ": "
                        + String.join(", ", allowed));
            }
        }
    }

    /**
     * YAML 1.2's core schema instead of SnakeYAML's YAML 1.1 one: only true/false are booleans, only
     * decimal integers are integers, and 1e-3 is a number. YAML 1.1 reads {@code T: 010} as 8,
     * {@code T: 1:30} as 90, {@code soft_reset: yes} as true and {@code readout: on} as a boolean, and
     * {@code 2026-01-01} as a date: a config meant otherwise would run silently. Under this schema those
     * are texts, which the keys' checks then refuse by name.
     */
    private static final class CoreSchema extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.BOOL, Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF");
            addImplicitResolver(Tag.INT, Pattern.compile("^[-+]?(?:0|[1-9][0-9]*)$"), "-+0123456789");
            addImplicitResolver(Tag.FLOAT, Pattern.compile("^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                    + "|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"), "-+0123456789.");
            addImplicitResolver(Tag.NULL, Pattern.compile("^(?:~|null|Null|NULL| )$"), "~nN\0");
            addImplicitResolver(Tag.NULL, Resolver.EMPTY, null);
        }
    }
}
