// The app itself (Vue, Pinia, i18n, the panels), imported by main.ts once the first panel's data has been
// asked for.
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n, isLocale } from './i18n';
import { readStored } from './stores/storage';
import { STORAGE } from './stores/ui';
import { scheduleFonts } from './fonts';

const stored = readStored(STORAGE.locale);
const locale = isLocale(stored) ? stored : 'en';
createApp(App).use(createPinia()).use(createAppI18n(locale)).mount('#app');
scheduleFonts(locale);
