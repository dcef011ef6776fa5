package org.knowcoder.ie.data;

import org.knowcoder.io.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmarks of {@code ../shared/datasets} (its INDEX.md): where each split's file lies under the
 * datasets directory and which reader it needs. The dataset names are the keys of the label mappings
 * ({@code org/knowcoder/ie/labels/<name>.tsv}).
 */
public final class DatasetCatalog {
    /** A dataset: its splits (name to path relative to the datasets directory, in order) and their format. */
    public record Entry(String name, Format format, Map<String, String> splits) {}

    public static final List<Entry> ENTRIES = entries();

    private DatasetCatalog() {}

    private static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (String domain : List.of("ai", "literature", "music", "politics", "science")) {
            out.add(new Entry("crossner_" + domain, Format.CONLL, splits("train", "crossner/" + domain + "/train.txt", "dev", "crossner/" + domain + "/dev.txt", "test", "crossner/" + domain + "/test.txt")));
        }
        out.add(new Entry("conll2003", Format.CONLL, splits("train", "conll2003/train.txt", "dev", "conll2003/dev.txt", "test", "conll2003/test.txt")));
        out.add(new Entry("mit_restaurant", Format.CONLL, splits("train", "mit_restaurant/restauranttrain.txt", "test", "mit_restaurant/restauranttest.txt")));
        out.add(new Entry("wnut17", Format.CONLL, splits("train", "wnut17/wnut17train.conll", "dev", "wnut17/emerging.dev.conll", "test", "wnut17/emerging.test.annotated")));
        out.add(new Entry("ncbi_disease", Format.CONLL, splits("train", "NCBI-disease-IOB/train.tsv", "dev", "NCBI-disease-IOB/devel.tsv", "test", "NCBI-disease-IOB/test.tsv")));
        out.add(new Entry("bc5cdr", Format.CONLL, splits("train", "BC5CDR-IOB/train.tsv", "dev", "BC5CDR-IOB/devel.tsv", "test", "BC5CDR-IOB/test.tsv")));
        out.add(new Entry("conll04", Format.SPERT, splits("train", "conll04/conll04_train.json", "dev", "conll04/conll04_dev.json", "test", "conll04/conll04_test.json")));
        out.add(new Entry("scierc", Format.DYGIE, splits("train", "scierc/train.json", "dev", "scierc/dev.json", "test", "scierc/test.json")));
        out.add(new Entry("kbp37", Format.TAGGED, splits("train", "kbp37/train.txt", "dev", "kbp37/dev.txt", "test", "kbp37/test.txt")));
        out.add(new Entry("semeval", Format.TAGGED, splits("train", "semeval2010_task8/TRAIN_FILE.TXT", "test", "semeval2010_task8/TEST_FILE_FULL.TXT")));
        out.add(new Entry("casie", Format.CASIE, splits("train", "casie/annotation_train", "dev", "casie/annotation_dev", "test", "casie/annotation_test")));
        return List.copyOf(out);
    }

    private static Map<String, String> splits(String... nameAndPath) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndPath.length; i += 2) m.put(nameAndPath[i], nameAndPath[i + 1]);
        return m;
    }

    public static Entry entry(String name) {
        for (Entry e : ENTRIES) if (e.name.equals(name)) return e;
        throw new BadInputException("unknown dataset " + name + "; known: " + ENTRIES.stream().map(Entry::name).toList());
    }

    /** Reads every split of {@code entry} whose file is under {@code datasetsDir}; absent files are skipped. */
    public static List<Split> read(Path datasetsDir, Entry entry) throws IOException {
        List<Split> out = new ArrayList<>();
        for (Map.Entry<String, String> s : entry.splits.entrySet()) {
            Path p = datasetsDir.resolve(s.getValue());
            if (Files.exists(p)) out.add(entry.format.read(p, entry.name, s.getKey()));
        }
        return out;
    }
}
