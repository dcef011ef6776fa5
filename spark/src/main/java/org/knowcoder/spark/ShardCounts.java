package org.knowcoder.spark;

/** What a token shard written by a Spark job holds: its tokens and sequences. */
public record ShardCounts(long tokens, long sequences) {}
