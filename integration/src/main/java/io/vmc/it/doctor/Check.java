package io.vmc.it.doctor;

import java.util.function.Supplier;

/** One thing the doctor looks at. A check never throws: a failure is a result. */
public record Check(String name, Supplier<Result> probe) {

    public enum Status { OK, WARN, MISSING }

    /** What a check found; {@code fix} tells the user what to do (usually an apt package). */
    public record Result(String name, Status status, String detail, String fix) {}

    public Result run() {
        try {
            Result r = probe.get();
            return new Result(name, r.status(), r.detail(), r.fix());
        } catch (RuntimeException | LinkageError e) {
            return new Result(name, Status.MISSING, "check failed: " + e, null);
        }
    }

    public static Result ok(String detail) {
        return new Result("", Status.OK, detail, null);
    }

    public static Result missing(String detail, String fix) {
        return new Result("", Status.MISSING, detail, fix);
    }

    public static Result warn(String detail, String fix) {
        return new Result("", Status.WARN, detail, fix);
    }
}
