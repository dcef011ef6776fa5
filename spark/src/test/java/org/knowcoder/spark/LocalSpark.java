package org.knowcoder.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of a test class: two local cores, and up to four attempts per task, the
 * {@code local[N,F]} form, since plain {@code local[N]} never retries a failed task.
 */
final class LocalSpark {
    private LocalSpark() {}

    static SparkSession start() {
        return SparkSession.builder().master("local[2,4]").appName("knowcoder-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }
}
