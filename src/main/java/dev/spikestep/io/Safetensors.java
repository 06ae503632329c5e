package dev.spikestep.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spikestep.SpikestepException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (SPEC section 10), float32 only: an 8-byte little-endian header length, a
 * UTF-8 JSON header of {@code name -> {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}}
 * plus {@code __metadata__} (string values), then the tensors' little-endian bytes, contiguous, in
 * header order. What PyTorch's {@code safetensors.torch.save_file(model.state_dict())} writes for
 * the notebook's models, and what its {@code load_file} reads back.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A header larger than this is not a checkpoint of ours (the reference reader's limit too). */
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** One float32 tensor, row-major. */
    public record Tensor(int[] shape, float[] data) {
        public Tensor {
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                        + " values, data has " + data.length);
            }
        }
    }

    /** A file's tensors (in header order) and its {@code __metadata__}. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
        public Contents {
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        }

        /**
         * The tensor {@code name} with exactly {@code shape}; a missing tensor or another shape is
         * the user's error, named with the file.
         */
        public float[] require(Path file, String name, int... shape) {
            Tensor t = tensors.get(name);
            if (t == null) {
                throw new SpikestepException(file + ": no tensor '" + name + "' (it has " + String.join(", ", tensors.keySet())
                        + ")");
            }
            if (!Arrays.equals(t.shape(), shape)) {
                throw new SpikestepException(file + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(shape));
            }
            return t.data();
        }
    }

    /** The file's bytes, built in memory (checkpoints are a few MB). */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("__metadata__ is not a tensor name");
            }
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", "F32");
            var shape = t.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = 4L * e.getValue().data().length;
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        // The reference writer pads the header with spaces to a multiple of 8 so the data is aligned.
        int pad = (8 - json.length % 8) % 8;
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(8 + json.length + pad + offset)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length + pad).put(json);
        for (int i = 0; i < pad; i++) {
            buf.put((byte) ' ');
        }
        // floatToIntBits writes every NaN as the one canonical 0x7fc00000: a diverged weight is NaN whatever its
        // payload, and the backends' NaNs differ in sign (x86's default NaN is negative, a GPU's positive), which
        // would make the files of two runs that computed the same network differ
        for (Tensor t : tensors.values()) {
            for (float v : t.data()) {
                buf.putInt(Float.floatToIntBits(v));
            }
        }
        return buf.array();
    }

    /** Writes the file atomically (temporary sibling, fsync, rename): a reader sees the old file or the new one. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ResultsWriter.replace(file, encode(tensors, metadata));
    }

    /** Reads a file; every way it can be malformed is one {@link SpikestepException} naming the file. */
    public static Contents read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpikestepException(file + ": no such file");
        } catch (IOException e) {
            throw new SpikestepException("cannot read " + file + ": " + SpikestepException.reason(e), e);
        }
        return decode(file, bytes);
    }

    static Contents decode(Path file, byte[] bytes) {
        if (bytes.length < 8) {
            throw bad(file, "only " + bytes.length + " bytes, not even the 8-byte header length");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen = buf.getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > bytes.length - 8) {
            throw bad(file, "header length " + headerLen + " does not fit the file's " + bytes.length + " bytes");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(file, "the header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw bad(file, "the header is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, long[]> spans = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw bad(file, "__metadata__ is not an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> m = v.fields(); m.hasNext(); ) {
                    Map.Entry<String, JsonNode> kv = m.next();
                    if (!kv.getValue().isTextual()) {
                        throw bad(file, "__metadata__ value of '" + kv.getKey() + "' is not a string");
                    }
                    metadata.put(kv.getKey(), kv.getValue().textValue());
                }
                continue;
            }
            String dtype = v.path("dtype").asText("");
            if (!dtype.equals("F32")) {
                throw bad(file, "tensor '" + name + "' has dtype " + (dtype.isEmpty() ? "(none)" : dtype)
                        + "; only F32 (float32) is supported: save with model.float()");
            }
            JsonNode shapeNode = v.path("shape");
            JsonNode offs = v.path("data_offsets");
            if (!shapeNode.isArray() || !offs.isArray() || offs.size() != 2 || !offs.get(0).canConvertToLong()
                    || !offs.get(1).canConvertToLong()) {
                throw bad(file, "tensor '" + name + "' lacks a shape array or a [begin, end] data_offsets");
            }
            int[] shape = new int[shapeNode.size()];
            long n = 1;
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 0) { // 784.5 is not 784
                    throw bad(file, "tensor '" + name + "' has a bad dimension " + d);
                }
                shape[i] = d.asInt();
                n = n > Long.MAX_VALUE / Math.max(1, shape[i]) ? Long.MAX_VALUE : n * shape[i]; // saturates: no negative size
            }
            if (n > Integer.MAX_VALUE) {
                throw bad(file, "tensor '" + name + "' of shape " + Arrays.toString(shape) + " has more than 2^31 "
                        + "elements (a float array's limit)");
            }
            long begin = offs.get(0).asLong();
            long end = offs.get(1).asLong();
            if (begin < 0 || end < begin) {
                throw bad(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "]");
            }
            if (end - begin != 4 * n) {
                throw bad(file, "tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + 4 * n
                        + " bytes, its data_offsets span " + (end - begin));
            }
            if (end > dataLen) {
                throw bad(file, "truncated: tensor '" + name + "' ends at byte " + end + " of the data, the file holds "
                        + dataLen + " (an interrupted copy?)");
            }
            float[] data = new float[(int) n];
            ByteBuffer.wrap(bytes, (int) (dataStart + begin), (int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN)
                    .asFloatBuffer().get(data);
            tensors.put(name, new Tensor(shape, data));
            spans.put(name, new long[] {begin, end});
        }
        // The data must be exactly the tensors' bytes, back to back (in offset order; writers may
        // order the header differently), as the reference reader demands.
        long covered = 0;
        for (Map.Entry<String, long[]> e : spans.entrySet().stream()
                .sorted(java.util.Comparator.comparingLong(x -> x.getValue()[0])).toList()) {
            if (e.getValue()[0] != covered) {
                throw bad(file, "tensor '" + e.getKey() + "' begins at byte " + e.getValue()[0] + " of the data, not at "
                        + covered + " where the previous tensor ends");
            }
            covered = e.getValue()[1];
        }
        if (covered != dataLen) {
            throw bad(file, (dataLen - covered) + " bytes after the last tensor's data");
        }
        return new Contents(tensors, metadata);
    }

    private static SpikestepException bad(Path file, String why) {
        return new SpikestepException(file + " is not a valid safetensors file: " + why);
    }
}
