package dev.spikestep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spikestep.SpikestepException;
import dev.spikestep.io.Safetensors.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> two() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("fc1.weight", new Tensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.NaN, 0, -0f}));
        t.put("fc_out.weight", new Tensor(new int[] {1, 2}, new float[] {7, 8}));
        return t;
    }

    /** Every NaN is written as 0x7fc00000: the backends' NaNs differ in sign, the networks they describe do not. */
    @Test
    void nanIsWrittenAsTheOneCanonicalNan() throws Exception {
        float negativeNan = Float.intBitsToFloat(0xffc00000); // x86's default NaN
        float payloadNan = Float.intBitsToFloat(0x7f800001);
        Path f = dir.resolve("nan.safetensors");
        Safetensors.write(f, Map.of("w", new Tensor(new int[] {4}, new float[] {1.5f, negativeNan, payloadNan, -0f})), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer data = ByteBuffer.wrap(bytes, bytes.length - 16, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Float.floatToRawIntBits(1.5f), data.getInt());
        assertEquals(0x7fc00000, data.getInt());
        assertEquals(0x7fc00000, data.getInt());
        assertEquals(0x80000000, data.getInt(), "-0 is a number, kept as it is");
    }

    @Test
    void roundTripKeepsEveryBitTheOrderAndTheMetadata() throws Exception {
        Path f = dir.resolve("a.safetensors");
        Safetensors.write(f, two(), Map.of("format", "spikestep-1", "dt", "5"));
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(List.of("fc1.weight", "fc_out.weight"), List.copyOf(c.tensors().keySet()));
        float[] w = c.tensors().get("fc1.weight").data();
        for (int i = 0; i < w.length; i++) {
            assertEquals(Float.floatToRawIntBits(two().get("fc1.weight").data()[i]), Float.floatToRawIntBits(w[i]));
        }
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("fc1.weight").shape());
        assertEquals("5", c.metadata().get("dt"));
        try (var s = Files.list(dir)) {
            assertFalse(s.anyMatch(p -> p.toString().endsWith(".part")), "the temporary file is renamed away");
        }
    }

    @Test
    void headerIsTheSpecsLayout() throws Exception {
        byte[] b = Safetensors.encode(two(), Map.of("k", "v"));
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong();
        assertEquals(0, (8 + n) % 8, "data aligned to 8 bytes");
        JsonNode h = new ObjectMapper().readTree(new String(b, 8, (int) n, StandardCharsets.UTF_8));
        assertEquals("F32", h.get("fc1.weight").get("dtype").asText());
        assertEquals("[0,24]", h.get("fc1.weight").get("data_offsets").toString());
        assertEquals("[24,32]", h.get("fc_out.weight").get("data_offsets").toString());
        assertEquals("v", h.get("__metadata__").get("k").asText());
        assertEquals(8 + n + 32, b.length);
        assertEquals(7f, buf.getFloat((int) (8 + n + 24)), "little-endian float32 at its offset");
    }

    private String error(byte[] bytes) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        return assertThrows(SpikestepException.class, () -> Safetensors.read(f)).getMessage();
    }

    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    @Test
    void everyFormatErrorIsOneClearMessage() throws Exception {
        byte[] good = Safetensors.encode(two(), Map.of());
        assertTrue(error(new byte[3]).contains("not even the 8-byte header length"));
        byte[] longHeader = good.clone();
        ByteBuffer.wrap(longHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertTrue(error(longHeader).contains("header length 1099511627776 does not fit"));
        assertTrue(error(withHeader("{\"a\": [1,", 0)).contains("the header is not valid JSON"));
        assertTrue(error(withHeader("{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4))
                .contains("tensor 'w' has dtype F16; only F32"));
        assertTrue(error(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8))
                .contains("of shape [3] needs 12 bytes, its data_offsets span 8"));
        assertTrue(error(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8)).contains("data_offsets"));
        assertTrue(error(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8))
                .contains("tensor 'w' has a bad dimension 2.5"));
        String huge = error(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],"
                + "\"data_offsets\":[0,8]}}", 8));
        assertTrue(huge.contains("has more than 2^31 elements"), huge);
        String truncated = error(Arrays.copyOf(good, good.length - 5));
        assertTrue(truncated.contains("truncated: tensor 'fc_out.weight'"), truncated);
        assertTrue(error(withHeader("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12))
                .contains("8 bytes after the last tensor"));
        Path f = dir.resolve("ok.safetensors");
        Files.write(f, good);
        Safetensors.Contents c = Safetensors.read(f);
        assertTrue(assertThrows(SpikestepException.class, () -> c.require(f, "fc2.weight", 2, 3)).getMessage()
                .contains("no tensor 'fc2.weight' (it has fc1.weight, fc_out.weight)"));
        assertTrue(assertThrows(SpikestepException.class, () -> c.require(f, "fc1.weight", 3, 2)).getMessage()
                .contains("has shape [2, 3], expected [3, 2]"));
        assertTrue(assertThrows(SpikestepException.class, () -> Safetensors.read(dir.resolve("none"))).getMessage()
                .contains("no such file"));
    }

    /** The fixture src/test/python/write_torch_fixture.py wrote from a PyTorch state_dict. */
    @Test
    void readsTheStateDictPyTorchWrote() throws Exception {
        Path f = Path.of("src/test/resources/fixtures/torch_state_dict.safetensors");
        JsonNode want = new ObjectMapper().readTree(Path.of("src/test/resources/fixtures/torch_state_dict.json").toFile());
        Safetensors.Contents c = Safetensors.read(f);
        assertEquals(2, c.tensors().size());
        for (String name : new String[] {"fc1.weight", "fc_out.weight"}) {
            Tensor t = c.tensors().get(name);
            JsonNode w = want.get(name);
            assertEquals(w.get("shape").toString(), Arrays.toString(t.shape()).replace(" ", ""));
            for (int i = 0; i < 4; i++) {
                assertEquals((float) w.get("first").get(i).asDouble(), t.data()[i], 0f, name + "[" + i + "]");
            }
            double sum = 0;
            for (float x : t.data()) {
                sum += x;
            }
            assertEquals(w.get("sum").asDouble(), sum, 1e-9, name + " sum");
        }
    }
}
