// Every learner-facing string in a lab comes in English and Korean (the seed notes are Korean).
import { z } from 'zod';

export const Text = z.strictObject({
  en: z.string().min(1, { error: 'English text must not be empty' }),
  ko: z.string().min(1, { error: 'Korean text must not be empty' }),
});
export type Text = z.infer<typeof Text>;
