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
 * array, and each launch writes its buffers to files, runs the runner (which calls the kernel
 * through the emulated grid, as cuLaunchKernel would) and reads the buffers back. Products run the
 * hand-written tiled GEMM kernel (the fallback when cuBLAS does not load). Launches: {@link #launches()}.
 */
final class HostDevice implements Device {
    private final Path runner;
    private final Path dir;
    private long launches;

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
            Process p = new ProcessBuilder(runner.toString(), args.toString()).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(l.kernel + " on the host runner failed: "
                        + new String(out, StandardCharsets.UTF_8));
            }
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

    @Override
    public String describe() {
        return "host-emulated kernels (" + runner + ", tiled GEMM)";
    }

    @Override
    public void close() {
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
