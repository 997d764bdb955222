import { z } from 'zod';

/**
 * A WhatsApp message template the provider has approved for a number (W3): its name and language
 * identify it, its body holds numbered parameters `{{1}}`, `{{2}}`, … filled in when it is sent.
 */
export const TemplateName = z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be a template name: lower-case letters, digits and _');
export const TemplateLanguage = z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code such as en or en_US');
export const TemplateCategory = z.enum(['marketing', 'utility', 'authentication']);

export const WhatsAppTemplate = z.object({
  name: TemplateName,
  language: TemplateLanguage,
  category: TemplateCategory,
  body: z.string().min(1).max(1024),
});
export type WhatsAppTemplate = z.infer<typeof WhatsAppTemplate>;

/** A template named in a message: which one, and its parameters' values in order (`{{1}}` first). */
export const TemplateRef = z.object({
  name: TemplateName,
  language: TemplateLanguage,
  parameters: z.array(z.string().min(1).max(1024)).max(100).default([]),
});
export type TemplateRef = z.infer<typeof TemplateRef>;
