/** This platform's minotari_node, or null when no platform package matched. */
export declare const binary: string | null
/** The minotari_app_grpc .proto files that match it, or null. */
export declare const protoDir: string | null
/** The minotari_node version the packages carry. */
export declare const version: string
