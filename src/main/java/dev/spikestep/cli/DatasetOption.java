package dev.spikestep.cli;

import dev.spikestep.data.DatasetLocator;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --dataset} of a training run ({@code train}, {@code rstdp}): which dataset under --data. */
public final class DatasetOption {
    @Option(names = "--dataset", paramLabel = "mnist|mnist-sample|fashion", defaultValue = "mnist",
            description = "Which dataset under --data (default: ${DEFAULT-VALUE}). Prepare it with 'spikestep data'.")
    String name;

    /**
     * The directory {@code dataset} is read from under {@code data} (the four files, or with {@code testOnly} the two
     * t10k ones): a missing dataset is an error here, before OUT is touched, and files taken for it on the user's
     * word alone (the data root's own) are noted on stderr. For train, rstdp and eval.
     */
    static Path find(Path data, String dataset, boolean testOnly) {
        Path dir = testOnly ? DatasetLocator.findTestDir(data, dataset) : DatasetLocator.findDir(data, dataset);
        String unnamed = DatasetLocator.unnamedNote(data, dataset, dir);
        if (unnamed != null) {
            System.err.println(unnamed);
        }
        return dir;
    }
}
