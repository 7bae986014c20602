import './boot';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createAppI18n, isLocale } from './i18n';
import { STORAGE } from './stores/ui';
import './styles.css';

function storedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE.locale);
  } catch {
    return null;
  }
}
const stored = storedLocale();
createApp(App)
  .use(createPinia())
  .use(createAppI18n(isLocale(stored) ? stored : 'en'))
  .mount('#app');
