package dev.spikestep.data;

import dev.spikestep.SpikestepException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and loads a dataset's four standard IDX files. Users get MNIST in several layouts
 * (prepared by {@code spikestep data}, unpacked by hand, or downloaded by torchvision), so a few
 * directories under the data root are searched in a fixed order, and each file may be raw or
 * {@code .gz} (raw wins when both exist, it loads faster). Directories searched for dataset
 * {@code D} under data root {@code R}, first complete one wins:
 * <ol>
 *   <li>{@code R/D}</li>
 *   <li>{@code R/D/raw}</li>
 *   <li>{@code R/D/MNIST/raw}</li>
 *   <li>{@code R/MNIST/raw} (only for {@code mnist}) and {@code R/FashionMNIST/raw} (only for
 *       {@code fashion}): torchvision's layout when {@code R} is its root</li>
 *   <li>{@code R} itself</li>
 * </ol>
 */
public final class DatasetLocator {
    /** Both splits of a dataset. */
    public record Split(Dataset train, Dataset test) {}

    /** The datasets that {@code spikestep data} can prepare and this class can find. */
    public static final List<String> DATASETS = List.of("mnist", "mnist-sample", "fashion");
    /** Every supported dataset has ten classes (digits, or Fashion-MNIST's ten garment types). */
    public static final int NUM_CLASSES = 10;
    /** And 28x28 images: the network's 784 inputs. */
    public static final int ROWS = 28;
    public static final int COLS = 28;

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four standard file names, without the optional {@code .gz}. */
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    /** The test split's two, all that eval and converge's digits read. */
    static final List<String> TEST_FILES = List.of(TEST_IMAGES, TEST_LABELS);

    private DatasetLocator() {}

    /** Finds {@code dataset} under {@code dataDir} and loads both splits. */
    public static Split load(Path dataDir, String dataset) {
        return loadFrom(findDir(dataDir, dataset), dataset);
    }

    /**
     * Finds and loads only {@code dataset}'s test split (eval, converge's digits): a directory that holds
     * the two t10k files is enough, and the training files (47 MB of full MNIST) are neither read nor needed.
     */
    public static Dataset loadTest(Path dataDir, String dataset) {
        return loadTestFrom(findTestDir(dataDir, dataset), dataset);
    }

    /** The test split in {@code dir}, which {@link #findTestDir} found. */
    public static Dataset loadTestFrom(Path dir, String dataset) {
        return split(dataset, "test", resolve(dir, TEST_IMAGES), resolve(dir, TEST_LABELS));
    }

    /**
     * The first directory of {@link #searchDirs} that holds all four files of {@code dataset}. One that
     * holds some of them before it is an error, not skipped: a half-copied set would otherwise give way
     * to whatever a later directory holds (the data root's own files, another dataset's).
     */
    public static Path findDir(Path dataDir, String dataset) {
        return findDir(dataDir, dataset, FILES);
    }

    /** The directory {@link #loadTest} reads: the first that holds the two t10k files. */
    public static Path findTestDir(Path dataDir, String dataset) {
        return findDir(dataDir, dataset, TEST_FILES);
    }

    /** As {@link #findDir(Path, String)}, for the directory that holds the {@code needed} files of the four. */
    static Path findDir(Path dataDir, String dataset, List<String> needed) {
        if (Files.isRegularFile(dataDir)) {
            throw new SpikestepException("--data " + dataDir + " is a file, not a directory (it should hold "
                    + dataset + "/ or the four IDX files)");
        }
        List<Path> dirs = searchDirs(dataDir, dataset);
        for (Path dir : dirs) {
            if (hasAll(dir, needed)) {
                checkSource(dir, dataset);
                checkTorchvisionName(dir, dataDir, dataset);
                return dir;
            }
            // partial against all four, whatever is needed: a folder of train files only is a half copy, not
            // passed over for the test files of a later directory (another dataset's, the data root's)
            List<String> present = FILES.stream().filter(b -> resolve(dir, b) != null).toList();
            if (!present.isEmpty()) {
                List<String> notFiles = notFiles(dir, needed);
                throw new SpikestepException("dataset '" + dataset + "': " + dir + " holds only " + present.size()
                        + " of its four IDX files (" + String.join(", ", present) + "; missing "
                        + needed.stream().filter(b -> resolve(dir, b) == null).collect(java.util.stream.Collectors.joining(", "))
                        + (notFiles.isEmpty() ? "): an interrupted copy?" : "; " + String.join("; ", notFiles) + "):")
                        + " Complete it, or run `spikestep data " + dataset + " --data " + dataDir
                        + "` to prepare it again" + (notFiles.isEmpty() ? "" : " once that is removed"));
            }
        }
        StringBuilder msg = new StringBuilder("dataset '" + dataset + "' not found: none of these directories holds "
                + "the " + (needed.size() == FILES.size() ? "four" : needed.size()) + " IDX files "
                + String.join(", ", needed) + " (each raw or .gz):");
        for (Path dir : dirs) {
            msg.append("\n  ").append(dir);
            List<String> notFiles = notFiles(dir, needed);
            if (!notFiles.isEmpty()) {
                msg.append("  (").append(String.join("; ", notFiles)).append(')');
            } else if (!Files.isDirectory(dir)) {
                msg.append("  (does not exist)");
            }
        }
        msg.append("\nRun `spikestep data ").append(dataset).append(" --data ").append(dataDir)
                .append("` to prepare it, or copy the IDX files into ").append(dataDir.resolve(dataset)).append('.');
        throw new SpikestepException(msg.toString());
    }

    /** What stands where one of the {@code needed} files should be and is not a file: a directory, a broken link. */
    private static List<String> notFiles(Path dir, List<String> needed) {
        List<String> notFiles = new ArrayList<>();
        for (String base : needed) {
            for (Path p : List.of(dir.resolve(base), dir.resolve(base + ".gz"))) {
                if (Files.exists(p) && !Files.isRegularFile(p)) {
                    notFiles.add(p.getFileName() + " is a directory, not a file");
                } else if (!Files.exists(p) && Files.isSymbolicLink(p)) {
                    notFiles.add(p.getFileName() + " is a broken link");
                }
            }
        }
        return notFiles;
    }

    /**
     * The data root itself is the last resort, and its files carry no name: a torchvision folder given as
     * {@code --data} ({@code .../MNIST/raw} with {@code --dataset fashion}) would be trained and recorded as the
     * other dataset. Its folder name says whose files they are.
     */
    private static void checkTorchvisionName(Path dir, Path dataDir, String dataset) {
        if (!dir.equals(dataDir)) {
            return;
        }
        Path real; // the folder's own name, however it was given (".", "../raw", a link)
        try {
            real = dir.toRealPath();
        } catch (java.io.IOException e) {
            real = dir.toAbsolutePath().normalize();
        }
        if (real.getFileName() == null || !real.getFileName().toString().equals("raw") || real.getParent() == null
                || real.getParent().getFileName() == null) {
            return;
        }
        String folder = real.getParent().getFileName().toString();
        String owner = folder.equals("MNIST") ? "mnist" : folder.equals("FashionMNIST") ? "fashion" : null;
        if (owner != null && !owner.equals(dataset)) {
            throw new SpikestepException("dataset '" + dataset + "': the files in " + dir + " are torchvision's " + folder
                    + " (" + owner + "); give --dataset " + owner + ", or --data the folder that holds " + dataset + "'s");
        }
    }

    /**
     * Null, or a note when {@code dir}, where {@code dataset} was found, is the data root itself: the last
     * resort, whose files carry no name (no SOURCE.txt, no dataset folder), so they are taken for {@code dataset}
     * on the user's word. Said, so that Fashion-MNIST files trained as "mnist" do not pass unnoticed.
     */
    public static String unnamedNote(Path dataDir, String dataset, Path dir) {
        if (!dir.equals(dataDir) || Files.isRegularFile(dir.resolve("SOURCE.txt"))) {
            return null;
        }
        return "note: the IDX files in " + dir + " itself are read as " + dataset + " (nothing in them says which "
                + "dataset they are; a folder named " + dataset + "/ under --data would)";
    }

    /** The directories searched for {@code dataset}, in order (see the class comment). */
    public static List<Path> searchDirs(Path dataDir, String dataset) {
        checkName(dataset);
        Path own = dataDir.resolve(dataset);
        List<Path> dirs = new ArrayList<>(List.of(own, own.resolve("raw"), own.resolve("MNIST").resolve("raw")));
        if (dataset.equals("mnist")) {
            dirs.add(dataDir.resolve("MNIST").resolve("raw"));
        } else if (dataset.equals("fashion")) {
            dirs.add(dataDir.resolve("FashionMNIST").resolve("raw"));
        }
        dirs.add(dataDir);
        return dirs;
    }

    /**
     * {@code spikestep data} writes a SOURCE.txt that starts with the dataset's name: files found for
     * {@code fashion} in a directory whose SOURCE.txt says {@code mnist-sample} are the wrong dataset
     * ({@code --dataset fashion --data data/mnist-sample}), and would be trained and labelled as fashion.
     */
    private static void checkSource(Path dir, String dataset) {
        Path source = dir.resolve("SOURCE.txt");
        if (!Files.isRegularFile(source)) {
            return;
        }
        String first;
        try (java.io.BufferedReader r = Files.newBufferedReader(source, java.nio.charset.StandardCharsets.UTF_8)) {
            first = java.util.Objects.requireNonNullElse(r.readLine(), "");
        } catch (java.io.IOException e) {
            return; // only a hint; the IDX files themselves are checked when loaded
        }
        int colon = first.indexOf(':');
        String named = colon > 0 ? first.substring(0, colon) : "";
        if (DATASETS.contains(named) && !named.equals(dataset)) {
            throw new SpikestepException("dataset '" + dataset + "': the files found in " + dir + " are " + named + "'s (its "
                    + "SOURCE.txt says so); give --data the directory above the dataset directories, or --dataset " + named);
        }
    }

    /** Returns {@code dataset} when it is one of {@link #DATASETS}; otherwise an error that names {@code --dataset}. */
    public static String checkName(String dataset) {
        if (!DATASETS.contains(dataset)) {
            throw new dev.spikestep.BadValueException("dataset", "'" + dataset + "': " + unknownName());
        }
        return dataset;
    }

    /** What an unknown dataset name is told, after the name: the ones to choose from. */
    static String unknownName() {
        return "unknown dataset; choose one of " + String.join(", ", DATASETS) + " (see `spikestep data --help`)";
    }

    static boolean hasAllFiles(Path dir) {
        return hasAll(dir, FILES);
    }

    private static boolean hasAll(Path dir, List<String> bases) {
        return bases.stream().allMatch(base -> resolve(dir, base) != null);
    }

    /** Whether {@code dir} holds any of the four files (the first such directory is the one the locator reads). */
    static boolean hasAnyFile(Path dir) {
        return FILES.stream().anyMatch(base -> resolve(dir, base) != null);
    }

    /** {@code dir/base} if it exists, else {@code dir/base.gz} if that exists, else null. */
    static Path resolve(Path dir, String base) {
        Path raw = dir.resolve(base);
        if (Files.isRegularFile(raw)) {
            return raw;
        }
        Path gz = dir.resolve(base + ".gz");
        return Files.isRegularFile(gz) ? gz : null;
    }

    /** Loads and cross-checks the four files in {@code dir}, which must all be present. */
    static Split loadFrom(Path dir, String dataset) {
        Path[] files = new Path[FILES.size()];
        for (int i = 0; i < files.length; i++) {
            files[i] = resolve(dir, FILES.get(i));
            if (files[i] == null) {
                throw new SpikestepException("IDX file not found: " + dir.resolve(FILES.get(i))
                        + " (nor " + FILES.get(i) + ".gz)");
            }
        }
        return new Split(split(dataset, "train", files[0], files[1]), split(dataset, "test", files[2], files[3]));
    }

    /** Loads one split's image and label files and checks them against each other and the network's 784 inputs. */
    private static Dataset split(String dataset, String name, Path imageFile, Path labelFile) {
        IdxImages images = IdxReader.readImages(imageFile);
        byte[] labels = IdxReader.readLabels(labelFile);
        checkCounts(images, imageFile, labels, labelFile);
        if (images.rows() != ROWS || images.cols() != COLS) {
            throw new SpikestepException(imageFile + " holds " + images.rows() + "x" + images.cols() + " images, but "
                    + dataset + "'s are " + ROWS + "x" + COLS + " (the network's " + ROWS * COLS + " inputs): these are not "
                    + "its files, replace them with the real set");
        }
        checkLabels(labels, labelFile);
        return new Dataset(dataset + "/" + name, images.rows(), images.cols(), NUM_CLASSES, images.data(), labels);
    }

    private static void checkCounts(IdxImages images, Path imageFile, byte[] labels, Path labelFile) {
        if (images.count() != labels.length) {
            throw new SpikestepException("count mismatch: " + imageFile + " holds " + images.count() + " images but "
                    + labelFile + " holds " + labels.length + " labels; the files do not belong together, "
                    + "replace them with a matching set");
        }
    }

    private static void checkLabels(byte[] labels, Path labelFile) {
        for (int i = 0; i < labels.length; i++) {
            int label = Byte.toUnsignedInt(labels[i]);
            if (label >= NUM_CLASSES) {
                throw new SpikestepException(labelFile + ": label " + label + " at index " + i + " is outside 0.."
                        + (NUM_CLASSES - 1) + "; the file is corrupt or not a label file of this dataset");
            }
        }
    }
}
