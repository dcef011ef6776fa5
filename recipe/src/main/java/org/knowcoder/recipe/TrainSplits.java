package org.knowcoder.recipe;

import org.knowcoder.ie.Sample;
import org.knowcoder.ie.data.DatasetCatalog;
import org.knowcoder.ie.data.Split;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training sentences of the recipe: the train split of each chosen dataset, except the
 * zero-shot ones (the paper's Table 2 protocol: the model never sees the CrossNER domains or
 * MIT-Restaurant before their test).
 */
final class TrainSplits {
    private TrainSplits() {}

    static boolean zeroShot(String dataset) {
        return dataset.startsWith("crossner_") || dataset.equals("mit_restaurant");
    }

    /** Dataset name to its first {@code limit} train sentences (0: all), in catalog order; datasets without a train file are left out. */
    static Map<String, List<Sample>> read(Path datasetsDir, List<String> datasets, int limit) throws IOException {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (String name : datasets) {
            DatasetCatalog.Entry entry = DatasetCatalog.entry(name);
            if (zeroShot(name) || !entry.splits().containsKey("train")) continue;
            for (Split split : DatasetCatalog.read(datasetsDir, entry)) {
                if (!split.name().equals("train")) continue;
                List<Sample> samples = split.samples();
                out.put(name, new ArrayList<>(limit > 0 && samples.size() > limit ? samples.subList(0, limit) : samples));
            }
        }
        return out;
    }
}
