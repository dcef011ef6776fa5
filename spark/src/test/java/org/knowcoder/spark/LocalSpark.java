package org.knowcoder.spark;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class's Spark session, started before its first test and stopped after its last: two
 * local cores, and up to four attempts per task (the {@code local[N,F]} form, since plain
 * {@code local[N]} never retries a failed task).
 */
abstract class LocalSpark {
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,4]").appName("knowcoder-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }
}
