package dev.spikestep.cuda;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Device} whose kernels are the ones of {@code kernels/*.cu}, compiled for the CPU with
 * {@code kernels/host_emu.h} into {@code target/kernel-runner}: "device memory" is a Java byte
 * array, and each launch writes its buffers to files, hands them to the runner (which calls the
 * kernel through the emulated grid, as cuLaunchKernel would) and reads the buffers back. One runner
 * process ({@code kernel-runner --serve}) serves all launches of a device, started at the first and
 * ended by {@link #close}. Products run the hand-written tiled GEMM kernel (the fallback when cuBLAS
 * does not load). Launches: {@link #launches()}.
 */
final class HostDevice implements Device {
    private final Path runner;
    private final Path dir;
    private long launches;
    private Process server;
    private java.io.BufferedWriter toServer;
    private java.io.BufferedReader fromServer;

    /** Host "device memory": the bytes [off, off + bytes) of store. */
    static final class HostBuffer implements DeviceBuffer {
        final byte[] store;
        final int off;
        final int bytes;

        HostBuffer(byte[] store, int off, int bytes) {
            this.store = store;
            this.off = off;
            this.bytes = bytes;
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public DeviceBuffer slice(long offset, long n) {
            if (offset < 0 || offset + n > bytes) {
                throw new IndexOutOfBoundsException("slice " + offset + "+" + n + " of " + bytes);
            }
            return new HostBuffer(store, off + (int) offset, (int) n);
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(store, off, bytes).slice().order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    HostDevice(Path runner) {
        this.runner = runner;
        try {
            dir = Files.createTempDirectory("spikestep-kernels");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    long launches() {
        return launches;
    }

    private static HostBuffer hb(DeviceBuffer b) {
        return (HostBuffer) b;
    }

    @Override
    public DeviceBuffer alloc(long bytes) {
        return new HostBuffer(new byte[Math.toIntExact(bytes)], 0, (int) bytes);
    }

    @Override
    public void free(DeviceBuffer buffer) {
        // garbage-collected
    }

    @Override
    public ByteBuffer hostBuffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void upload(DeviceBuffer dst, ByteBuffer src, int bytes) {
        HostBuffer d = hb(dst);
        for (int i = 0; i < bytes; i++) {
            d.store[d.off + i] = src.get(i);
        }
    }

    @Override
    public void upload(DeviceBuffer dst, float[] src, int n) {
        hb(dst).view().asFloatBuffer().put(src, 0, n);
    }

    @Override
    public void upload(DeviceBuffer dst, byte[] src, int n) {
        HostBuffer d = hb(dst);
        System.arraycopy(src, 0, d.store, d.off, n);
    }

    @Override
    public void upload(DeviceBuffer dst, int[] src, int n) {
        hb(dst).view().asIntBuffer().put(src, 0, n);
    }

    @Override
    public void download(DeviceBuffer src, ByteBuffer dst, int bytes) {
        HostBuffer s = hb(src);
        for (int i = 0; i < bytes; i++) {
            dst.put(i, s.store[s.off + i]);
        }
    }

    @Override
    public void download(DeviceBuffer src, float[] dst, int n) {
        hb(src).view().asFloatBuffer().get(dst, 0, n);
    }

    @Override
    public void zero(DeviceBuffer dst) {
        HostBuffer d = hb(dst);
        Arrays.fill(d.store, d.off, d.off + d.bytes, (byte) 0);
    }

    @Override
    public void launch(Launch l) {
        List<String> lines = new ArrayList<>();
        lines.add("kernel " + l.kernel);
        lines.add("grid " + l.grid[0] + " " + l.grid[1] + " " + l.grid[2]);
        lines.add("block " + l.block[0] + " " + l.block[1] + " " + l.block[2]);
        List<HostBuffer> bufs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            for (Object a : l.args) {
                if (a == null) {
                    lines.add("null");
                } else if (a instanceof HostBuffer b) {
                    Path f = dir.resolve("buf" + bufs.size() + ".bin");
                    Files.write(f, Arrays.copyOfRange(b.store, b.off, b.off + b.bytes));
                    bufs.add(b);
                    files.add(f);
                    lines.add("buf " + f + " " + b.bytes);
                } else if (a instanceof int[] i) {
                    lines.add("i32 " + i[0]);
                } else if (a instanceof long[] v) {
                    lines.add("i64 " + v[0]);
                } else if (a instanceof float[] f) {
                    lines.add("f32 " + Float.floatToRawIntBits(f[0]));
                } else {
                    throw new IllegalArgumentException("argument " + a);
                }
            }
            Path args = dir.resolve("args.txt");
            Files.write(args, lines, StandardCharsets.UTF_8);
            serve(l.kernel, args);
            for (int k = 0; k < bufs.size(); k++) {
                HostBuffer b = bufs.get(k);
                byte[] data = Files.readAllBytes(files.get(k));
                System.arraycopy(data, 0, b.store, b.off, b.bytes);
            }
            launches++;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs one launch on the persistent runner; its answer is "ok", anything else is its error. */
    private void serve(String kernel, Path args) throws IOException, InterruptedException {
        if (server == null) {
            server = new ProcessBuilder(runner.toString(), "--serve").redirectErrorStream(true).start();
            toServer = new java.io.BufferedWriter(new java.io.OutputStreamWriter(server.getOutputStream(),
                    StandardCharsets.UTF_8));
            fromServer = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
        }
        toServer.write(args + "\n");
        toServer.flush();
        String reply = fromServer.readLine();
        if (!"ok".equals(reply)) {
            StringBuilder out = new StringBuilder(reply == null ? "" : reply);
            for (String line; (line = fromServer.readLine()) != null; ) { // the runner exits after an error
                out.append('\n').append(line);
            }
            stopServer();
            throw new IllegalStateException(kernel + " on the host runner failed: " + out);
        }
    }

    private void stopServer() throws InterruptedException {
        if (server == null) {
            return;
        }
        try {
            toServer.close(); // end of input: the runner's loop ends
        } catch (IOException e) {
            // already gone
        }
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
        server = null;
    }

    @Override
    public String describe() {
        return "host-emulated kernels (" + runner + ", tiled GEMM)";
    }

    @Override
    public void close() {
        try {
            stopServer();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var s = Files.list(dir)) {
            for (Path f : s.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }
}
