import { expect, it } from 'vitest';
import { EITHER, HORIZONTAL, VERTICAL, listTarget } from '../../renderer/src/composables/listKeys';

it('moves through a list with its own keys, wrapping at the ends', () => {
  expect(listTarget('ArrowDown', 0, 3, VERTICAL)).toBe(1);
  expect(listTarget('ArrowUp', 0, 3, VERTICAL)).toBe(2);
  expect(listTarget('ArrowDown', 2, 3, VERTICAL)).toBe(0);
  expect(listTarget('Home', 2, 3, VERTICAL)).toBe(0);
  expect(listTarget('End', 0, 3, VERTICAL)).toBe(2);
  expect(listTarget('ArrowRight', 0, 3, VERTICAL)).toBeNull();
  expect(listTarget('ArrowRight', 1, 3, HORIZONTAL)).toBe(2);
  expect(listTarget('ArrowLeft', 1, 3, EITHER)).toBe(0);
  expect(listTarget('Enter', 1, 3, EITHER)).toBeNull();
  expect(listTarget('ArrowDown', 0, 0, VERTICAL)).toBeNull();
});
