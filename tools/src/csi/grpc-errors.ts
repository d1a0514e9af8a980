// A gRPC status error: what the driver throws when it refuses or fails a call. The kubelet shows
// the message in the pod's events ("rpc error: code = Internal desc = ..."), so it carries the
// real drivers' wording.
import { status } from "@grpc/grpc-js";

export type CsiCode = "InvalidArgument" | "Internal" | "NotFound" | "Unavailable" | "Aborted" | "FailedPrecondition";

const codes: Record<CsiCode, status> = {
  InvalidArgument: status.INVALID_ARGUMENT,
  Internal: status.INTERNAL,
  NotFound: status.NOT_FOUND,
  Unavailable: status.UNAVAILABLE,
  Aborted: status.ABORTED,
  FailedPrecondition: status.FAILED_PRECONDITION,
};

export class CsiError extends Error {
  readonly code: CsiCode;
  constructor(code: CsiCode, message: string) {
    super(message);
    this.name = "CsiError";
    this.code = code;
  }
  get grpcCode(): status {
    return codes[this.code];
  }
}

export function invalidArgument(message: string): CsiError {
  return new CsiError("InvalidArgument", message);
}

export function internal(message: string): CsiError {
  return new CsiError("Internal", message);
}
