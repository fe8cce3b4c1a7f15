<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>Window</name>
    <message>
        <source>Graph</source>
        <translation>Граф</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>нет модели</translation>
    </message>
    <message>
        <source>Find block (Ctrl+F)</source>
        <translation>Найти блок (Ctrl+F)</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Раскрыть все</translation>
    </message>
    <message>
        <source>Collapse to depth</source>
        <translation>Свернуть до глубины</translation>
    </message>
    <message>
        <source>Collapse to</source>
        <translation>Свернуть до</translation>
    </message>
    <message>
        <source>Close every block deeper than the depth beside</source>
        <translation>Закрыть все блоки глубже указанной рядом глубины</translation>
    </message>
    <message>
        <source>The depth &apos;Collapse to&apos; keeps open</source>
        <translation>Глубина, которую «Свернуть до» оставляет открытой</translation>
    </message>
    <message>
        <source>Default view</source>
        <translation>Вид по умолчанию</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Исходный</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>цвет</translation>
    </message>
    <message>
        <source>Fit (F)</source>
        <translation>Вписать (F)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>Панели</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>Open images...</source>
        <translation>Открыть изображения...</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Открыть...</translation>
    </message>
    <message>
        <source>Open a folder of images...</source>
        <translation>Открыть папку с изображениями...</translation>
    </message>
    <message>
        <source>Folder...</source>
        <translation>Папка...</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Примеры</translation>
    </message>
    <message>
        <source>Paste image</source>
        <translation>Вставить изображение</translation>
    </message>
    <message>
        <source>Load weights from file...</source>
        <translation>Загрузить веса из файла...</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>Недавние модели</translation>
    </message>
    <message>
        <source>Export graph as PNG...</source>
        <translation>Экспорт графа в PNG...</translation>
    </message>
    <message>
        <source>Export graph as SVG...</source>
        <translation>Экспорт графа в SVG...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Правка</translation>
    </message>
    <message>
        <source>Delete / restore block</source>
        <translation>Удалить / вернуть блок</translation>
    </message>
    <message>
        <source>Undo deletion</source>
        <translation>Отменить удаление</translation>
    </message>
    <message>
        <source>Redo deletion</source>
        <translation>Повторить удаление</translation>
    </message>
    <message>
        <source>Restore all blocks</source>
        <translation>Вернуть все блоки</translation>
    </message>
    <message>
        <source>Restore all</source>
        <translation>Вернуть все</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Модель</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Веса</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <source>Compare architectures</source>
        <translation>Сравнить архитектуры</translation>
    </message>
    <message>
        <source>Side by side...</source>
        <translation>Рядом...</translation>
    </message>
    <message>
        <source>Two or three networks aligned by stage, and what one has that another lacks</source>
        <translation>Две или три сети, выровненные по стадиям, и чем одна отличается от другой</translation>
    </message>
    <message>
        <source>Block graph</source>
        <translation>Граф блоков</translation>
    </message>
    <message>
        <source>Training curves: plain vs residual...</source>
        <translation>Кривые обучения: обычная и остаточная сеть...</translation>
    </message>
    <message>
        <source>Colour blocks by</source>
        <translation>Цвет блоков по</translation>
    </message>
    <message>
        <source>Norms and activations as boxes</source>
        <translation>Нормализации и активации отдельными блоками</translation>
    </message>
    <message>
        <source>Off (as on a slide): a BN or ReLU right after a conv is a mark in the conv&apos;s box</source>
        <translation>Выключено (как на слайде): BN или ReLU сразу после свёртки — пометка в блоке свёртки</translation>
    </message>
    <message>
        <source>Find block</source>
        <translation>Найти блок</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>Режим презентации</translation>
    </message>
    <message>
        <source>Larger fonts and strokes, high contrast, the model list hidden (F5 again: as before)</source>
        <translation>Крупнее шрифты и линии, высокий контраст, список моделей скрыт (F5 ещё раз: как было)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>виду</translation>
    </message>
    <message>
        <source>params</source>
        <translation>параметрам</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
    <message>
        <source>The language changes at the next start</source>
        <translation>Язык сменится при следующем запуске</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Запуск</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>веса</translation>
    </message>
    <message>
        <source>from file...</source>
        <translation>из файла...</translation>
    </message>
    <message>
        <source>Library pretrained weights, random ones, or a checkpoint</source>
        <translation>Предобученные веса библиотеки, случайные или контрольная точка</translation>
    </message>
    <message>
        <source>untrained</source>
        <translation>не обучена</translation>
    </message>
    <message>
        <source>The model has random weights: its predictions mean nothing</source>
        <translation>У модели случайные веса: её предсказания ничего не значат</translation>
    </message>
    <message>
        <source>image</source>
        <translation>изображение</translation>
    </message>
    <message>
        <source>Open image files (Ctrl+O)</source>
        <translation>Открыть файлы изображений (Ctrl+O)</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>сравнить</translation>
    </message>
    <message>
        <source>A second image run beside the first (SE weights panel)</source>
        <translation>Второе изображение, пропускаемое рядом с первым (панель весов SE)</translation>
    </message>
    <message>
        <source>norm</source>
        <translation>норм.</translation>
    </message>
    <message>
        <source>weights&apos; own</source>
        <translation>как у весов</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>The mean and std the image is normalised with (weights&apos; own: as the weights say)</source>
        <translation>Среднее и СКО, которыми нормализуется изображение («как у весов»: как указано в весах)</translation>
    </message>
    <message>
        <source>device</source>
        <translation>устройство</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>авто</translation>
    </message>
</context>
</TS>
