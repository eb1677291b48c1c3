package io.podcap.k8s;

import io.podcap.testing.Cli;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Runs the CLI while doing something every 20 ms (at most 3000 times), until it exits. */
final class CliRun {
    interface Action {
        void run() throws Exception;
    }

    private CliRun() {}

    static Cli.Result whileSending(Action action, String... args) throws Exception {
        CompletableFuture<Cli.Result> run = CompletableFuture.supplyAsync(() -> {
            try {
                return Cli.run(args);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        for (int i = 0; i < 3000 && !run.isDone(); i++) {
            action.run();
            Thread.sleep(20);
        }
        return run.get();
    }
}
