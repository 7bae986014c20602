// The shape one locale imposes on another: the same keys, any strings.
export type LocaleShape<T> = { [K in keyof T]: T[K] extends string ? string : LocaleShape<T[K]> };
