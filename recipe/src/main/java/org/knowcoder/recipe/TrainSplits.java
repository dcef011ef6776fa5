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
 * The training sentences of the recipe: the train split of each chosen dataset (and for the
 * fine-tuning instructions its dev split too), except the zero-shot ones (the paper's Table 2
 * protocol: the model never sees the CrossNER domains or MIT-Restaurant before their test).
 */
final class TrainSplits {
    private TrainSplits() {}

    static boolean zeroShot(String dataset) {
        return dataset.startsWith("crossner_") || dataset.equals("mit_restaurant");
    }

    /**
     * Dataset name to its first {@code limit} train sentences (0: all), then with {@code withDev} as
     * many of its dev split's, in catalog order; datasets without a train file are left out.
     */
    static Map<String, List<Sample>> read(Path datasetsDir, List<String> datasets, int limit, boolean withDev) throws IOException {
        Map<String, List<Sample>> out = new LinkedHashMap<>();
        for (String name : datasets) {
            if (zeroShot(name)) continue;
            List<Sample> sentences = new ArrayList<>();
            boolean train = false;
            for (Split split : DatasetCatalog.read(datasetsDir, DatasetCatalog.entry(name))) { // the catalog's order: train, dev, test
                train |= split.name().equals("train");
                if (split.name().equals("train") || withDev && split.name().equals("dev")) {
                    List<Sample> samples = split.samples();
                    sentences.addAll(limit > 0 && samples.size() > limit ? samples.subList(0, limit) : samples);
                }
            }
            if (train) out.put(name, sentences);
        }
        return out;
    }
}
