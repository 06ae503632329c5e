package dev.spikestep.sweep;

import java.nio.file.Path;
import java.util.List;

/**
 * A Slurm job-array script for a sharded sweep: task {@code i} of {@code 0..n-1} runs shard
 * {@code i/n} into {@code OUT/shard-i} with {@code --resume}, so a requeued or repeated task
 * continues where it stopped. Merging and the report come after, by hand or as a dependent job.
 * On the CUDA backend each task asks for its GPUs ({@code --gres=gpu:N}) and Slurm places it: the
 * task sees only those (CUDA_VISIBLE_DEVICES) and its sweep spreads its shard's runs or packs over
 * them ({@code --devices all}, the default).
 */
public final class SlurmScript {
    private SlurmScript() {
    }

    /**
     * @param jar the jar; the launcher installed beside it ({@code spikestep}) runs the tasks when present,
     *     so that they get the JVM options (the Vector API module, C2's limits) and not the scalar kernels
     * @param extraArgs further sweep options for every task (data, backend, parallel), already quoted
     * @param gpusPerTask GPUs each task asks for; 0 for the CPU backend (no GPU request)
     * @param packs with --pack, how the grid's packs are dealt to the tasks (task i gets packs j with
     *     j % shards == i); empty: points are dealt
     */
    public static String render(String sweepName, int gridPoints, int shards, Path jar, Path config, Path out,
                                List<String> extraArgs, int gpusPerTask, String packs) {
        if (gpusPerTask < 0) {
            throw new IllegalArgumentException("gpusPerTask " + gpusPerTask);
        }
        Path launcher = jar.resolveSibling("spikestep");
        boolean hasLauncher = java.nio.file.Files.isExecutable(launcher);
        String java = hasLauncher ? q(launcher) : "java -jar " + q(jar);
        String task = "${SLURM_ARRAY_TASK_ID}";
        StringBuilder sb = new StringBuilder();
        sb.append("#!/bin/bash\n");
        sb.append("# Slurm job array for the Spikestep sweep '").append(sweepName).append("': ").append(gridPoints)
                .append(" grid points in ").append(shards).append(" shards (task i runs ")
                .append(packs.isEmpty() ? "points with index % " : "packs j with j % ").append(shards).append(" == i).\n");
        if (!packs.isEmpty()) {
            sb.append("# ").append(packs).append(".\n");
        }
        sb.append("#SBATCH --job-name=").append(directive("spikestep-" + sweepName)).append('\n');
        sb.append("#SBATCH --array=0-").append(shards - 1).append('\n');
        sb.append("#SBATCH --output=").append(directive(out + "/slurm-%A_%a.out")).append('\n');
        if (gpusPerTask > 0) {
            sb.append("#SBATCH --gres=gpu:").append(gpusPerTask).append('\n');
            sb.append("# Each task gets ").append(gpusPerTask).append(" GPU").append(gpusPerTask == 1 ? "" : "s")
                    .append(" (Slurm sets CUDA_VISIBLE_DEVICES) and spreads its shard's runs over them.\n");
        }
        if (!hasLauncher) {
            sb.append("# No launcher beside ").append(jar).append(": the tasks run without its JVM options (Vector API\n")
                    .append("# module, C2 limits), on the scalar kernels; 'make build' installs target/spikestep.\n");
        }
        sb.append("# Add your site's lines here (--partition, --time, --cpus-per-task, ...).\n");
        sb.append("#\n");
        sb.append("# Submit:        sbatch ").append("THIS_FILE\n");
        sb.append("# After the last task has finished, join the shards and write the report:\n");
        sb.append("#   ").append(java).append(" merge ").append(q(out)).append("/shard-* --out ").append(q(out.resolve("merged")))
                .append('\n');
        sb.append("#   ").append(java).append(" report ").append(q(out.resolve("merged"))).append('\n');
        sb.append("# (or submit that as a job with --dependency=afterok:<array job id>). A task that failed or was\n");
        sb.append("# cut off can simply run again: --resume skips the runs its shard has already finished.\n");
        sb.append("set -euo pipefail\n");
        sb.append(java).append(" sweep ").append(q(config)).append(" --shard ").append(task).append('/').append(shards)
                .append(" --out ").append(q(out)).append("/shard-").append(task).append(" --resume");
        for (String a : extraArgs) {
            sb.append(' ').append(a);
        }
        sb.append('\n');
        return sb.toString();
    }

    /**
     * Quotes an #SBATCH value when it holds anything but safe characters. sbatch splits these lines
     * itself, not bash: a space ends the value and an unquoted '#' starts a comment. Older
     * versions read only double quotes there (newer ones single quotes too), with '\\' escaping.
     */
    static String directive(String s) {
        return s.matches("[A-Za-z0-9_./:=+%-]+") ? s : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Single-quotes a path for bash when it holds anything but safe characters. */
    public static String q(Object o) {
        String s = o.toString();
        return s.matches("[A-Za-z0-9_./:=+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }
}
